using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Cleanup;
using Stremora.Modules.Videos.DeleteVideo;
using Stremora.Modules.Videos.GetVideo;
using Stremora.Modules.Videos.UploadVideo;

namespace Stremora.Modules.Videos.Tests.GetVideo;

public sealed class VideoDetailsProjectionTests
{
    private static readonly Guid Id = Guid.CreateVersion7();
    private static readonly DateTimeOffset Started = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static VideoDetails? Fold(params object[] events) =>
        events.Aggregate((VideoDetails?)null, (current, e) => VideoDetailsProjection.Apply(current, Id, e));

    private static VideoUploadStarted StartedEvent() => new(Id, "owner", "Early title", "", 123, "video/mp4", null, "hash", Started);

    private static VideoFileStored VideoStored(string provider = "s3") =>
        new(StoredFileKind.Video, provider, "videos/x/video", "https://example/v", 10, "video/mp4", new string('a', 64), 42);

    [Fact]
    public void An_upload_in_progress_is_uploading_with_its_owner_and_start_time()
    {
        var video = Fold(StartedEvent())!;
        Assert.Equal((Id, "owner", VideoStatus.Uploading, Started, "hash"), (video.Id, video.OwnerId, video.Status, video.CreatedAt, video.IdempotencyKeyHash));
    }

    [Fact]
    public void Failed_attempts_then_the_stored_file_make_the_attempt_list_in_order()
    {
        var video = Fold(
            StartedEvent(),
            new StorageAttemptFailed(StoredFileKind.Video, "cloudinary", AttemptOutcomes.Failed, "HTTP 500", 7),
            VideoStored(),
            new VideoReady("Final title", "Final description", Started))!;

        Assert.Equal(VideoStatus.Ready, video.Status);
        Assert.Equal(("Final title", "Final description"), (video.Title, video.Description));
        Assert.Equal("s3", video.Video!.Provider);
        Assert.Null(video.Thumbnail);
        Assert.Equal(
            [("cloudinary", "failed", "HTTP 500", 7L), ("s3", "stored", null, 42L)],
            video.Attempts.Select(a => (a.Provider, a.Outcome, a.Error, a.ElapsedMs)));
    }

    [Fact]
    public void A_thumbnail_goes_to_the_thumbnail_slot()
    {
        var video = Fold(StartedEvent(), new VideoFileStored(StoredFileKind.Thumbnail, "local", "videos/x/thumbnail.jpg", null, 5, "image/jpeg", new string('b', 64), 1))!;
        Assert.Null(video.Video);
        Assert.Equal("image/jpeg", video.Thumbnail!.ContentType);
    }

    [Fact]
    public void Deleting_hides_the_video_and_cleanup_progress_is_tracked_per_file()
    {
        var video = Fold(
            StartedEvent(),
            VideoStored(),
            new VideoReady("t", "", Started),
            new VideoDeleted("owner", false, Started),
            new StoredFileCleanupScheduled(StoredFileKind.Video, "s3", "videos/x/video", null, "video deleted"))!;
        Assert.Equal(VideoStatus.Deleted, video.Status);
        Assert.Equal(CleanupState.Scheduled, video.Cleanups.Single().State);
        Assert.Empty(video.StoredFiles());

        var retrying = VideoDetailsProjection.Apply(video, Id, new StoredFileCleanupFailed(StoredFileKind.Video, "s3", "videos/x/video", 1, "down", WillRetry: true))!;
        Assert.Equal(CleanupState.Retrying, retrying.Cleanups.Single().State);
        var done = VideoDetailsProjection.Apply(retrying, Id, new StoredFileCleanedUp(StoredFileKind.Video, "s3", "videos/x/video"))!;
        Assert.Equal(CleanupState.Done, done.Cleanups.Single().State);
    }

    [Fact]
    public void A_failed_upload_is_failed_and_still_lists_what_it_stored_until_cleanup_is_scheduled()
    {
        var failed = Fold(StartedEvent(), VideoStored(), new VideoUploadFailed("thumbnail is not an image", Started))!;
        Assert.Equal(VideoStatus.Failed, failed.Status);
        Assert.Single(failed.StoredFiles());
    }

    [Fact]
    public void Events_before_the_stream_started_are_ignored()
    {
        Assert.Null(Fold(VideoStored()));
    }
}
