using System.Net;
using System.Net.Http.Headers;
using System.Text;
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

        using var client = first.CreateClient();
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{StremoraApiFactory.DashboardUser}:{StremoraApiFactory.DashboardPassword}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/remove") { Content = new FormUrlEncodedContent([new("jobs[]", job)]) };
        request.Headers.TryAddWithoutValidation("Origin", "http://localhost");
        using var response = await client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{string.Join("\n", first.Errors.Lines)}");
    }
}
