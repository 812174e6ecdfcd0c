using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.Rebalance;
using Stremora.Modules.Videos.Reconcile;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;

namespace Stremora.Modules.Videos.Tests.Rebalance;

/// <summary>Files that failed over go back to Cloudinary once it recovers; nothing is lost on the way.</summary>
[Collection(MaintenanceApiGroup.Name)]
public sealed class ReturnToPrimaryTests(MaintenanceApiFactory api)
{
    [Fact]
    public async Task Videos_uploaded_while_cloudinary_failed_return_to_it_after_it_recovers_byte_for_byte()
    {
        using var owner = api.ClientFor("rebalance-owner");
        using var admin = api.ClientFor("rebalance-admin", admin: true);
        var uploaded = new List<(JsonElement Video, byte[] Bytes)>();
        api.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var bytes = Samples.Mp4(6000 + (i * 1000), seed: (byte)(40 + i));
                var video = await owner.UploadValidAsync($"Failed over {i}", bytes);
                Assert.Equal(api.Fallback, video.Provider());
                uploaded.Add((video, bytes));
            }
        }
        finally
        {
            api.Cloudinary.Faults.Clear();
        }

        // At most two files per run (Storage:Rebalance:MaxFilesPerRun): the first run says there is more.
        var first = await admin.RunAsync("rebalance");
        Assert.Equal("completed", first.GetProperty("outcome").GetString());
        Assert.Equal(2, first.GetProperty("moved").GetInt32());
        Assert.True(first.GetProperty("moreToDo").GetBoolean());
        // The dashboard shows the run under its name, with the report as its result.
        var monitoring = api.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var jobId = first.GetProperty("jobId").GetString();
        // The report is stored just before the job returns: wait for Hangfire to record the outcome.
        await Eventually.UntilAsync(() => Task.FromResult(monitoring.JobDetails(jobId).History[0].StateName == "Succeeded"), "the rebalance job is marked succeeded");
        var job = monitoring.JobDetails(jobId);
        Assert.Contains("\"Moved\":2", job.History[0].Data["Result"], StringComparison.Ordinal);
        Assert.Equal(nameof(StorageRebalanceJob), job.Job.Type.Name);
        for (var run = 0; run < 5 && (await api.Job<StorageRebalanceJob>().RunAsync(null, CancellationToken.None)).MoreToDo; run++)
        {
        }

        foreach (var (before, bytes) in uploaded)
        {
            var id = before.Id();
            var (status, body) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
            Assert.Equal(HttpStatusCode.OK, status);
            var after = JsonDocument.Parse(body).RootElement;
            Assert.Equal("cloudinary", after.Provider());

            // The URL is Cloudinary's now, and it serves the very bytes that were uploaded.
            var url = after.GetProperty("video").GetProperty("url").GetString()!;
            Assert.StartsWith(api.Cloudinary.BaseAddress.ToString(), url, StringComparison.Ordinal);
            using var plain = new HttpClient();
            Assert.Equal(bytes, await plain.GetByteArrayAsync(new Uri(url)));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), api.Cloudinary.FindAsset(after.Locator())!.Sha256);
            Assert.Equal(before.GetProperty("video").GetProperty("sha256").GetString(), after.GetProperty("video").GetProperty("sha256").GetString());

            // The fallback copy is removed by the cleanup job the move scheduled, and the history tells the story.
            var history = await MaintenanceApiFactory.HistoryWithAsync(owner, id, "StoredFileCleanedUp");
            Assert.Null(await api.S3BytesAsync(before.Locator()));
            var moved = history.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "VideoFileMoved").GetProperty("data");
            Assert.Equal(api.Fallback, moved.GetProperty("fromProvider").GetString());
            Assert.Equal(before.Locator(), moved.GetProperty("fromLocator").GetString());
            Assert.Equal("cloudinary", moved.GetProperty("toProvider").GetString());
        }

        var (_, firstHistory) = await owner.SendAsync(HttpMethod.Get, $"/api/videos/{uploaded[0].Video.Id()}/history");
        Scrub.Json(MaintenanceApiFactory.ScrubUrls(firstHistory)).MatchSnapshot(SnapshotNameExtension.Create("history"));
    }

    [Fact]
    public async Task A_copy_that_fails_leaves_the_video_playing_from_where_it_was()
    {
        using var owner = api.ClientFor("rebalance-failure-owner");
        var bytes = Samples.Mp4(5000, seed: 61);
        api.Cloudinary.Faults.FailAll(FakeCloudinaryFault.ServiceUnavailable);
        var video = await owner.UploadValidAsync("Stays put", bytes);
        try
        {
            Assert.Equal(api.Fallback, video.Provider());

            var report = await api.Job<StorageRebalanceJob>().RunAsync(null, CancellationToken.None);

            var result = Assert.Single(report.Files, f => f.VideoId == video.Id());
            Assert.Equal("failed", result.Outcome);
            Assert.Contains("cloudinary", result.Detail, StringComparison.Ordinal);
            await AssertStillOnFallbackAsync(video, bytes);
        }
        finally
        {
            api.Cloudinary.Faults.Clear();
            await owner.DeleteEventuallyAsync(video.Id());
        }
    }

    [Fact]
    public async Task A_source_that_no_longer_matches_the_catalog_is_not_moved_and_its_copy_is_removed()
    {
        using var owner = api.ClientFor("rebalance-corrupt-owner");
        var bytes = Samples.Mp4(5000, seed: 71);
        var video = await api.UploadToFallbackAsync(owner, "Bit rot", bytes);

        try
        {
            // Same length, different bytes: only the SHA-256 can tell.
            var rotten = (byte[])bytes.Clone();
            rotten[^1] ^= 0xFF;
            await api.PutS3Async(video.Locator(), rotten);

            var report = await api.Job<StorageRebalanceJob>().RunAsync(null, CancellationToken.None);

            var result = Assert.Single(report.Files, f => f.VideoId == video.Id());
            Assert.Equal("failed", result.Outcome);
            Assert.Contains("SHA-256", result.Detail, StringComparison.Ordinal);
            await AssertStillOnFallbackAsync(video, rotten);
        }
        finally
        {
            await owner.DeleteEventuallyAsync(video.Id());
        }
    }

    [Fact]
    public async Task A_move_interrupted_after_its_copy_is_completed_by_the_next_run_and_its_leftover_copy_is_reconciled_away()
    {
        using var owner = api.ClientFor("rebalance-resume-owner");
        var bytes = Samples.Mp4(5000, seed: 81);
        var video = await api.UploadToFallbackAsync(owner, "Resumed", bytes);

        {
            // What a crash mid-move leaves: a (here truncated) copy on Cloudinary, under that move's key, that the catalog never heard of.
            var leftover = $"stremora/videos/{video.Id():N}/video.{Guid.CreateVersion7():N}";
            await api.Cloudinary.PlantAssetAsync(leftover, bytes[..1000]);
            Assert.Equal(api.Fallback, (await api.VideoAsync(video.Id())).Video!.Provider);

            var report = await api.Job<StorageRebalanceJob>().RunAsync(null, CancellationToken.None);

            // The next move writes a key of its own; the leftover is an orphan for reconciliation.
            Assert.Equal("moved", Assert.Single(report.Files, f => f.VideoId == video.Id()).Outcome);
            var details = await api.VideoAsync(video.Id());
            Assert.Equal("cloudinary", details.Video!.Provider);
            Assert.NotEqual(leftover, details.Video.Locator);
            Assert.StartsWith($"stremora/videos/{video.Id():N}/video.", details.Video.Locator, StringComparison.Ordinal);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), api.Cloudinary.FindAsset(details.Video.Locator)!.Sha256);
            var reconciled = await api.Job<StorageReconcileJob>().RunAsync(null, CancellationToken.None);
            Assert.Contains(reconciled.OrphansDeleted, o => o.Locator == leftover);
            Assert.DoesNotContain(reconciled.OrphansDeleted, o => o.Locator == details.Video.Locator);
            Assert.Null(api.Cloudinary.FindAsset(leftover));
            Assert.NotNull(api.Cloudinary.FindAsset(details.Video.Locator));
            await MaintenanceApiFactory.HistoryWithAsync(owner, video.Id(), "StoredFileCleanedUp");
            Assert.Null(await api.S3BytesAsync(video.Locator()));
            // The cleanup job's outcome is appended without an expected version; the catalog still knows the stream's version.
            await using var query = api.Store.QuerySession();
            Assert.Equal((await query.Events.FetchStreamStateAsync(video.Id()))!.Version, (await api.VideoAsync(video.Id())).Version);
        }

        await owner.DeleteEventuallyAsync(video.Id());
    }

    private async Task AssertStillOnFallbackAsync(JsonElement video, byte[] bytes)
    {
        var details = await api.VideoAsync(video.Id());
        Assert.Equal(api.Fallback, details.Video!.Provider);
        Assert.Equal(video.Locator(), details.Video.Locator);
        Assert.Equal(bytes, await api.S3BytesAsync(video.Locator()));
        Assert.DoesNotContain(api.Cloudinary.Assets, a => a.PublicId.Contains($"{video.Id():N}", StringComparison.Ordinal));
        var (status, body) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{video.Id()}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(api.Fallback, JsonDocument.Parse(body).RootElement.Provider());
    }
}
