using System.Net;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Stremora.TestKit.Host;

namespace Stremora.Api.Tests.Platform;

/// <summary>
/// A page on another site can make an admin's browser POST to the dashboard with the Basic credentials it
/// remembers: such a request changes nothing. The same request from the dashboard's own origin works.
/// </summary>
public sealed class DashboardCrossOriginTests(StremoraApiFactory api) : IClassFixture<StremoraApiFactory>
{
    [Theory]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Referer", "https://evil.example/page.html")]
    [InlineData("Origin", "null")]
    public async Task A_dashboard_post_from_another_origin_under_valid_basic_credentials_changes_nothing(string header, string value)
    {
        var job = AddRecurringJob();

        using var response = await RemoveRecurringJobAsync(job, header, value);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(job, RecurringJobIds());
    }

    [Fact]
    public async Task The_same_post_from_the_dashboards_own_origin_is_carried_out()
    {
        var job = AddRecurringJob();

        using var response = await RemoveRecurringJobAsync(job, "Origin", "http://localhost");

        // Anything else than 204 names what the host logged: Hangfire's own failure, not our origin check, shows there.
        Assert.True(
            response.StatusCode == HttpStatusCode.NoContent,
            $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{string.Join("\n", api.Errors.Lines)}");
        Assert.DoesNotContain(job, RecurringJobIds());
    }

    /// <summary>A recurring job of this test's own that never fires: what the POST would remove.</summary>
    private string AddRecurringJob()
    {
        var id = $"csrf-probe-{Guid.NewGuid():N}";
        api.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate(id, () => Console.WriteLine("never"), "0 0 31 2 *");
        Assert.Contains(id, RecurringJobIds());
        return id;
    }

    private Task<HttpResponseMessage> RemoveRecurringJobAsync(string job, string header, string value) =>
        DashboardCommands.RemoveRecurringJobAsync(api, job, header, value);

    private List<string> RecurringJobIds()
    {
        using var connection = api.Services.GetRequiredService<JobStorage>().GetConnection();
        return [.. Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).Select(j => j.Id)];
    }
}
