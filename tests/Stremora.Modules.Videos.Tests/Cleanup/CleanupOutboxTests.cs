using Marten;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Cleanup;
using Stremora.Modules.Videos.DeleteVideo;
using Stremora.Modules.Videos.GetVideo;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.Modules.Videos.UploadVideo;

namespace Stremora.Modules.Videos.Tests.Cleanup;

[Collection(VideosApiGroup.Name)]
public sealed class CleanupOutboxTests(VideosApiFactory api)
{
    /// <summary>
    /// What a crash right after the delete's commit leaves: the events, and no job enqueued by anyone.
    /// The outbox subscription alone must turn them into a cleanup that removes the file.
    /// </summary>
    [Fact]
    public async Task A_cleanup_scheduled_event_with_no_job_enqueued_still_gets_the_file_removed()
    {
        var storage = api.Services.GetRequiredService<IVideoStorage>();
        var id = Guid.CreateVersion7();
        var bytes = Samples.Mp4(3000, seed: 41);
        using var content = new MemoryStream(bytes);
        var stored = Assert.IsType<StoreOutcome.Stored>(await storage.StoreAsync(new StoreFileRequest(StoredFileKind.Video, $"videos/{id:N}/video", "video/mp4", 1_000_000), content, CancellationToken.None)).File;
        Assert.Contains(api.StoredFiles(), f => f.Contains(id.ToString("N"), StringComparison.Ordinal));

        await using (var session = api.Store.LightweightSession())
        {
            session.Events.StartStream<VideoDetails>(
                id,
                new VideoUploadStarted(id, "outbox-owner", "Outbox", "", null, "video/mp4", null, null, DateTimeOffset.UtcNow),
                new VideoFileStored(StoredFileKind.Video, stored.Provider, stored.Locator, stored.ProviderUrl!, stored.Bytes, stored.ContentType, stored.Sha256, 1),
                new VideoReady("Outbox", "", DateTimeOffset.UtcNow),
                new VideoDeleted("outbox-owner", false, DateTimeOffset.UtcNow),
                new StoredFileCleanupScheduled(StoredFileKind.Video, stored.Provider, stored.Locator, stored.ProviderUrl!, "video deleted"));
            await session.SaveChangesAsync();
        }

        await Eventually.UntilAsync(() => Task.FromResult(!api.StoredFiles().Any(f => f.Contains(id.ToString("N"), StringComparison.Ordinal))), "the outbox enqueued the job and it removed the file");
        await Eventually.UntilAsync(
            async () =>
            {
                await using var query = api.Store.QuerySession();
                var video = await query.LoadAsync<VideoDetails>(id);
                return video?.Cleanups.SingleOrDefault()?.State == CleanupState.Done;
            },
            "the stream records the file cleaned up");
    }
}
