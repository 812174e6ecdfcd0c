using System.Text.Json;
using Hangfire;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Cleanup;
using Stremora.Modules.Videos.GetVideo;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.Modules.Videos.UploadVideo;

namespace Stremora.Modules.Videos.Tests.Cleanup;

[Collection(VideosApiGroup.Name)]
public sealed class StoredFileCleanupJobTests(VideosApiFactory api)
{
    [Fact]
    public async Task A_failing_removal_is_retried_with_back_off_then_stays_failed_for_an_admin_to_retry()
    {
        // A provider this host does not have: every delete attempt fails.
        var id = Guid.CreateVersion7();
        await using (var session = api.Store.LightweightSession())
        {
            session.Events.StartStream<VideoDetails>(
                id,
                new VideoUploadStarted(id, "retry-owner", "Retry", "", null, "video/mp4", null, null, DateTimeOffset.UtcNow),
                new StoredFileCleanupScheduled(StoredFileKind.Video, "nowhere", $"videos/{id:N}/video", null, "test"));
            await session.SaveChangesAsync();
        }

        var failuresBefore = api.Services.GetRequiredService<JobStorage>().GetMonitoringApi().FailedCount();
        string history = "";
        await Eventually.UntilAsync(
            async () =>
            {
                history = await api.ClientFor("retry-owner").GetStringAsync(new Uri($"/api/videos/{id}/history", UriKind.Relative));
                return history.Contains("\"willRetry\":false", StringComparison.Ordinal);
            },
            "both attempts (Cleanup:MaxAttempts = 2) failed and were recorded");

        var failures = JsonDocument.Parse(history).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "StoredFileCleanupFailed")
            .Select(e => (e.GetProperty("data").GetProperty("attempt").GetInt32(), e.GetProperty("data").GetProperty("willRetry").GetBoolean()))
            .ToList();
        Assert.Equal([(1, true), (2, false)], failures);
        await Eventually.UntilAsync(
            () => Task.FromResult(api.Services.GetRequiredService<JobStorage>().GetMonitoringApi().FailedCount() > failuresBefore),
            "the last attempt stays failed in Hangfire");
    }
}
