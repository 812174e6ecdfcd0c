using System.Net;
using System.Text.Json;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Reconcile;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.Reconcile;

/// <summary>Providers and catalog are compared: what no video claims goes, what the catalog lacks is reported.</summary>
[Collection(MaintenanceApiGroup.Name)]
public sealed class ReconcileTests(MaintenanceApiFactory api)
{
    [Fact]
    public async Task An_orphan_planted_on_each_provider_is_removed_and_a_file_deleted_behind_the_services_back_is_reported()
    {
        using var owner = api.ClientFor("reconcile-owner");
        using var admin = api.ClientFor("reconcile-admin", admin: true);
        var healthy = await owner.UploadValidAsync("Healthy", Samples.Mp4(3000, seed: 81));
        var victim = await owner.UploadValidAsync("Deleted behind our back", Samples.Mp4(3000, seed: 82));
        Assert.Equal("cloudinary", victim.Provider());
        Assert.True(api.Cloudinary.RemoveAsset(victim.Locator()));
        var s3Victim = await api.UploadToFallbackAsync(owner, "Deleted from S3 behind our back", Samples.Mp4(3000, seed: 87));

        Assert.Equal("s3", s3Victim.Provider());
        await api.DeleteS3Async(s3Victim.Locator());

        // Files under the service's prefix that no video claims, one per provider...
        var orphan = Guid.CreateVersion7().ToString("N");
        await api.Cloudinary.PlantAssetAsync($"stremora/videos/{orphan}/video", Samples.Mp4(2048, seed: 83));
        await api.PutS3Async($"stremora/videos/{orphan}/video", Samples.Mp4(2048, seed: 84));
        // ...and one outside it on each, which is not the service's to judge.
        await api.Cloudinary.PlantAssetAsync($"someone-else/videos/{orphan}/video", Samples.Mp4(2048, seed: 85));
        await api.PutS3Async($"someone-else/videos/{orphan}/video", Samples.Mp4(2048, seed: 86));

        var report = await admin.RunAsync("reconcile");

        Assert.Equal("completed", report.GetProperty("outcome").GetString());
        Assert.Null(api.Cloudinary.FindAsset($"stremora/videos/{orphan}/video"));
        Assert.Null(await api.S3BytesAsync($"stremora/videos/{orphan}/video"));
        Assert.NotNull(api.Cloudinary.FindAsset($"someone-else/videos/{orphan}/video"));
        Assert.NotNull(await api.S3BytesAsync($"someone-else/videos/{orphan}/video"));
        Assert.NotNull(api.Cloudinary.FindAsset(healthy.Locator()));
        var deleted = report.GetProperty("orphansDeleted").EnumerateArray().Select(o => (o.GetProperty("provider").GetString(), o.GetProperty("locator").GetString())).ToList();
        Assert.Contains(("cloudinary", $"stremora/videos/{orphan}/video"), deleted);
        Assert.Contains(("s3", $"stremora/videos/{orphan}/video"), deleted);

        var providers = report.GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("provider").GetString()!);
        Assert.Equal(["cloudinary", "s3"], providers.Keys.Order(StringComparer.Ordinal));
        Assert.All(providers.Values, p => Assert.Equal(JsonValueKind.Null, p.GetProperty("error").ValueKind));
        Assert.True(providers["cloudinary"].GetProperty("orphansDeleted").GetInt32() >= 1);
        Assert.True(providers["s3"].GetProperty("orphansDeleted").GetInt32() >= 1);

        // The video whose file vanished is reported and marked on its stream, once however often the job runs.
        var missing = Assert.Single(report.GetProperty("missing").EnumerateArray(), m => m.GetProperty("videoId").GetGuid() == victim.Id());
        Assert.Equal("cloudinary", missing.GetProperty("provider").GetString());
        Assert.Equal(victim.Locator(), missing.GetProperty("locator").GetString());
        Assert.DoesNotContain(report.GetProperty("missing").EnumerateArray(), m => m.GetProperty("videoId").GetGuid() == healthy.Id());
        var s3Missing = Assert.Single(report.GetProperty("missing").EnumerateArray(), m => m.GetProperty("videoId").GetGuid() == s3Victim.Id());
        Assert.Equal("s3", s3Missing.GetProperty("provider").GetString());
        Assert.True(providers["s3"].GetProperty("missingFiles").GetInt32() >= 1);
        Assert.True(providers["cloudinary"].GetProperty("missingFiles").GetInt32() >= 1);

        var again = await api.Job<StorageReconcileJob>().RunAsync(null, CancellationToken.None);
        Assert.Contains(again.Missing, m => m.VideoId == victim.Id());
        var history = await MaintenanceApiFactory.HistoryWithAsync(owner, victim.Id(), "VideoFileMissing");
        var marked = Assert.Single(history.EnumerateArray(), e => e.GetProperty("type").GetString() == "VideoFileMissing").GetProperty("data");
        Assert.Equal(victim.Locator(), marked.GetProperty("locator").GetString());
        Assert.True((await api.VideoAsync(victim.Id())).Video!.Missing);
        Assert.True((await api.VideoAsync(s3Victim.Id())).Video!.Missing);
        Assert.False((await api.VideoAsync(healthy.Id())).Video!.Missing);

        // A missing file is never a reason to move it: return-to-primary skips it.
        var rebalance = await api.Job<Stremora.Modules.Videos.Rebalance.StorageRebalanceJob>().RunAsync(null, CancellationToken.None);
        Assert.Equal("skipped", Assert.Single(rebalance.Files, f => f.VideoId == s3Victim.Id()).Outcome);

        foreach (var id in new[] { healthy.Id(), victim.Id(), s3Victim.Id() })
        {
            var (status, body) = await owner.SendAsync(HttpMethod.Delete, $"/api/videos/{id}");
            Assert.True(status == HttpStatusCode.NoContent, body);
        }
    }

    [Fact]
    public async Task A_file_marked_missing_that_is_put_back_is_unmarked_once()
    {
        using var owner = api.ClientFor("reconcile-found-owner");
        using var admin = api.ClientFor("reconcile-found-admin", admin: true);
        var bytes = Samples.Mp4(3000, seed: 95);
        var video = await owner.UploadValidAsync("Deleted then restored", bytes);
        try
        {
            Assert.Equal("cloudinary", video.Provider());
            Assert.True(api.Cloudinary.RemoveAsset(video.Locator()));
            var first = await api.Job<StorageReconcileJob>().RunAsync(null, CancellationToken.None);
            Assert.Contains(first.Missing, m => m.VideoId == video.Id());
            Assert.True((await api.VideoAsync(video.Id())).Video!.Missing);

            // An operator restores the object from a backup: same key, same bytes.
            await api.Cloudinary.PlantAssetAsync(video.Locator(), bytes);
            var second = await admin.RunAsync("reconcile");

            var found = Assert.Single(second.GetProperty("found").EnumerateArray());
            Assert.Equal(
                (video.Id(), "video", "cloudinary", video.Locator()),
                (found.GetProperty("videoId").GetGuid(), found.GetProperty("file").GetString(), found.GetProperty("provider").GetString(), found.GetProperty("locator").GetString()));
            var cloudinary = Assert.Single(second.GetProperty("providers").EnumerateArray(), p => p.GetProperty("provider").GetString() == "cloudinary");
            Assert.Equal(1, cloudinary.GetProperty("foundAgain").GetInt32());
            Assert.DoesNotContain(second.GetProperty("missing").EnumerateArray(), m => m.GetProperty("videoId").GetGuid() == video.Id());
            Assert.False((await api.VideoAsync(video.Id())).Video!.Missing);
            // Still served from where it was: the restored object is the video's, not an orphan.
            Assert.NotNull(api.Cloudinary.FindAsset(video.Locator()));
            var (status, body) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{video.Id()}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(video.Locator(), JsonDocument.Parse(body).RootElement.Locator());

            var history = await MaintenanceApiFactory.HistoryWithAsync(owner, video.Id(), "VideoFileFound");
            Assert.Equal(
                ["VideoUploadStarted", "VideoFileStored", "VideoAnalyzed", "VideoReady", "VideoFileMissing", "VideoFileFound"],
                history.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
            var data = history.EnumerateArray().Last().GetProperty("data");
            Assert.Equal(("cloudinary", video.Locator()), (data.GetProperty("provider").GetString(), data.GetProperty("locator").GetString()));

            // Nothing changed since: the next run appends nothing and finds nothing again.
            var version = (await api.VideoAsync(video.Id())).Version;
            var third = await api.Job<StorageReconcileJob>().RunAsync(null, CancellationToken.None);
            Assert.Empty(third.Found);
            Assert.Equal(0, Assert.Single(third.Providers, p => p.Provider == "cloudinary").FoundAgain);
            Assert.DoesNotContain(third.Missing, m => m.VideoId == video.Id());
            Assert.Equal(version, (await api.VideoAsync(video.Id())).Version);
            Assert.Equal(6, (await MaintenanceApiFactory.HistoryWithAsync(owner, video.Id(), "VideoFileFound")).GetArrayLength());
        }
        finally
        {
            var (status, body) = await owner.SendAsync(HttpMethod.Delete, $"/api/videos/{video.Id()}");
            Assert.True(status == HttpStatusCode.NoContent, body);
        }
    }

    [Fact]
    public async Task A_copy_left_on_the_primary_by_an_interrupted_move_is_removed_and_the_video_keeps_playing_from_the_fallback()
    {
        using var owner = api.ClientFor("reconcile-crash-owner");
        var bytes = Samples.Mp4(4000, seed: 91);
        var video = await api.UploadToFallbackAsync(owner, "Half moved", bytes);

        try
        {
            // What a move that crashed after its copy and before recording it leaves behind.
            var copy = $"stremora/videos/{video.Id():N}/video.{Guid.CreateVersion7():N}";
            await api.Cloudinary.PlantAssetAsync(copy, bytes);

            var report = await api.Job<StorageReconcileJob>().RunAsync(null, CancellationToken.None);

            Assert.Contains(report.OrphansDeleted, o => o.Provider == "cloudinary" && o.Locator == copy);
            Assert.Null(api.Cloudinary.FindAsset(copy));
            Assert.DoesNotContain(report.Missing, m => m.VideoId == video.Id());
            var (status, body) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{video.Id()}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(api.Fallback, JsonDocument.Parse(body).RootElement.Provider());
            Assert.Equal(bytes, await api.S3BytesAsync(video.Locator()));
        }
        finally
        {
            var (status, body) = await owner.SendAsync(HttpMethod.Delete, $"/api/videos/{video.Id()}");
            Assert.True(status == HttpStatusCode.NoContent, body);
        }
    }

    [Fact]
    public async Task A_file_whose_removal_stalled_past_its_retry_window_is_removed_and_its_history_says_so()
    {
        // What a removal that said "retrying" and then lost its job (a Schedule call that never happened) leaves.
        var id = Guid.CreateVersion7();
        var key = $"stremora/videos/{id:N}/video";
        await api.PutS3Async(key, Samples.Mp4(2048, seed: 97));
        await using (var session = api.Store.LightweightSession())
        {
            session.Events.StartStream<VideoDetails>(
                id,
                new VideoUploadStarted(id, "stalled-owner", "Stalled", "", null, "video/mp4", null, null, DateTimeOffset.UtcNow),
                new VideoDeleted("stalled-owner", false, DateTimeOffset.UtcNow),
                new StoredFileCleanupFailed(StoredFileKind.Video, "s3", key, 1, "simulated", WillRetry: true));
            await session.SaveChangesAsync();
        }

        // Within its retry window the removal is its job's.
        var early = await api.Job<StorageReconcileJob>().RunAsync(null, CancellationToken.None);
        Assert.DoesNotContain(early.OrphansDeleted, o => o.Locator == key);
        Assert.NotNull(await api.S3BytesAsync(key));

        // What the days do to it.
        await api.ExecuteSqlAsync($"UPDATE stremora.mt_events SET timestamp = timestamp - interval '30 days' WHERE stream_id = '{id}'");
        var late = await api.Job<StorageReconcileJob>().RunAsync(null, CancellationToken.None);

        Assert.Contains(late.OrphansDeleted, o => o.Provider == "s3" && o.Locator == key);
        Assert.Null(await api.S3BytesAsync(key));
        Assert.Equal(CleanupState.Done, Assert.Single((await api.VideoAsync(id)).Cleanups).State);
    }
}
