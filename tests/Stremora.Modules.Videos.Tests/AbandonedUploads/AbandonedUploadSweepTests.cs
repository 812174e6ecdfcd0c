using Marten;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.AbandonedUploads;
using Stremora.Modules.Videos.GetVideo;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.Modules.Videos.UploadVideo;

namespace Stremora.Modules.Videos.Tests.AbandonedUploads;

[Collection(VideosApiGroup.Name)]
public sealed class AbandonedUploadSweepTests(VideosApiFactory api)
{
    [Fact]
    public async Task An_upload_stuck_in_uploading_is_marked_failed_and_its_stored_file_removed()
    {
        // What a process that died mid-upload leaves: a started stream with one stored file, long ago.
        var storage = api.Services.GetRequiredService<IVideoStorage>();
        var stuckId = Guid.CreateVersion7();
        using var content = new MemoryStream(Samples.Mp4(2000, seed: 51));
        var stored = Assert.IsType<StoreOutcome.Stored>(await storage.StoreAsync(new StoreFileRequest(StoredFileKind.Video, $"videos/{stuckId:N}/video", "video/mp4", 1_000_000), content, CancellationToken.None)).File;
        var recentId = Guid.CreateVersion7();
        await using (var session = api.Store.LightweightSession())
        {
            session.Events.StartStream<VideoDetails>(
                stuckId,
                new VideoUploadStarted(stuckId, "sweep-owner", "Stuck", "", null, "video/mp4", null, null, DateTimeOffset.UtcNow.AddDays(-2)),
                new VideoFileStored(StoredFileKind.Video, stored.Provider, stored.Locator, stored.ProviderUrl!, stored.Bytes, stored.ContentType, stored.Sha256, 1));
            // Still within the threshold: an upload that may well be alive.
            session.Events.StartStream<VideoDetails>(
                recentId,
                new VideoUploadStarted(recentId, "sweep-owner", "Recent", "", null, "video/mp4", null, null, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        using var scope = api.Services.CreateScope();
        var swept = await scope.ServiceProvider.GetRequiredService<AbandonedUploadSweepJob>().RunAsync(CancellationToken.None);

        Assert.True(swept >= 1);
        await using (var query = api.Store.QuerySession())
        {
            Assert.Equal(VideoStatus.Failed, (await query.LoadAsync<VideoDetails>(stuckId))!.Status);
            Assert.Equal(VideoStatus.Uploading, (await query.LoadAsync<VideoDetails>(recentId))!.Status);
        }

        await Eventually.UntilAsync(() => Task.FromResult(!api.StoredFiles().Any(f => f.Contains(stuckId.ToString("N"), StringComparison.Ordinal))), "the swept upload's file was removed");
    }

    [Fact]
    public async Task A_partial_file_a_crash_left_on_local_disk_long_ago_is_removed_and_one_still_being_written_stays()
    {
        // What a crash mid-write leaves on the local disk: the file under its temporary name, never renamed.
        var old = Plant($"videos/{Guid.CreateVersion7():N}/video.mp4.{Guid.NewGuid():N}.partial", DateTime.UtcNow.AddDays(-2));
        var fresh = Plant($"videos/{Guid.CreateVersion7():N}/video.mp4.{Guid.NewGuid():N}.partial", DateTime.UtcNow);
        var foreign = Plant($"notes/{Guid.NewGuid():N}.txt.{Guid.NewGuid():N}.partial", DateTime.UtcNow.AddDays(-2));

        using var scope = api.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AbandonedUploadSweepJob>().RunAsync(CancellationToken.None);

        Assert.False(File.Exists(old), "the abandoned .partial file is still there");
        Assert.False(Directory.Exists(Path.GetDirectoryName(old)), "the abandoned file's empty folder is still there");
        Assert.True(File.Exists(fresh), "a .partial file written just now (a live upload's) was removed");
        Assert.True(File.Exists(foreign), "a file whose name is not one of the service's keys was removed");
        File.Delete(fresh);
        File.Delete(foreign);
    }

    private string Plant(string relative, DateTime lastWrite)
    {
        var path = Path.Combine(api.LocalStorageRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Samples.Mp4(2000, seed: 52));
        File.SetLastWriteTimeUtc(path, lastWrite);
        return path;
    }
}
