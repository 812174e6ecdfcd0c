using System.Net;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Stremora.TestKit.Host;

namespace Stremora.Api.Tests.Platform;

/// <summary>Alone, so that no other host configures Hangfire's process-wide settings while this one looks.</summary>
[CollectionDefinition(nameof(HangfireProcessWideTests), DisableParallelization = true)]
public sealed class HangfireProcessWideTests;

/// <summary>
/// Hangfire keeps process-wide settings (its log provider among them) from whichever host configured it last. A host
/// must keep working after another host in the same process has come and gone.
/// </summary>
[Collection(nameof(HangfireProcessWideTests))]
public sealed class HangfireAfterAnotherHostTests
{
    [Fact]
    public async Task The_dashboard_still_carries_out_a_command_after_a_later_host_was_stopped()
    {
        await using var first = new StremoraApiFactory();
        await first.InitializeAsync();
        var job = $"after-another-host-{Guid.NewGuid():N}";
        first.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate(job, () => Console.WriteLine("never"), "0 0 31 2 *");

        // The second host configures Hangfire last, then stops: its logger factory is disposed.
        var second = new StremoraApiFactory();
        await second.InitializeAsync();
        _ = second.Services.GetRequiredService<IRecurringJobManager>();
        await second.DisposeAsync();

        using var response = await DashboardCommands.RemoveRecurringJobAsync(first, job, "Origin", "http://localhost");

        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{string.Join("\n", first.Errors.Lines)}");
    }
}
