using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Stremora.TestKit.Host;

namespace Stremora.Api.Tests.Platform;

/// <summary>
/// A test host runs no recurring job on the wall clock's schedule. moto_server dates every multipart upload
/// 2010-11-10, so the abandoned-upload sweep firing mid-test (every 10 minutes by default) took a test's own
/// S3 upload in flight for a six-hour-old one and aborted it; moto then answers 500 to its next part.
/// </summary>
public sealed class TestHostScheduleTests(StremoraApiFactory api) : IClassFixture<StremoraApiFactory>
{
    [Fact]
    public void The_sweep_and_the_maintenance_jobs_are_registered_but_never_fire_on_their_own()
    {
        _ = api.Services;
        using var connection = api.Services.GetRequiredService<JobStorage>().GetConnection();
        var recurring = connection.GetRecurringJobs().ToDictionary(j => j.Id, j => j.Cron);

        Assert.Equal(StremoraApiFactory.NeverCron, recurring["videos-sweep-abandoned-uploads"]);
        Assert.Equal(StremoraApiFactory.NeverCron, recurring["storage-rebalance"]);
        Assert.Equal(StremoraApiFactory.NeverCron, recurring["storage-reconcile"]);
        Assert.Equal(StremoraApiFactory.NeverCron, recurring["videos-media-backfill"]);
    }
}
