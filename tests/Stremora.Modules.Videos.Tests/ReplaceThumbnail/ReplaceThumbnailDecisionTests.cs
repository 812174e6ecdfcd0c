using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Tests.ReplaceThumbnail;

public sealed class ReplaceThumbnailDecisionTests
{
    private static readonly Guid Id = Guid.CreateVersion7();
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly StoredFile NewThumbnail = new("s3", "videos/x/thumbnail.1", StoredFileKind.Thumbnail, null, 9, "image/png", new string('c', 64));

    private static VideoDetails Ready(bool withThumbnail)
    {
        object[] events =
        [
            new VideoUploadStarted(Id, "owner", "Title", "", null, null, null, null, At),
            new VideoFileStored(StoredFileKind.Video, "cloudinary", "videos/x/video", "https://example/v", 10, "video/mp4", new string('a', 64), 3),
            .. withThumbnail
                ? new object[]
                {
                    new StorageAttemptFailed(StoredFileKind.Thumbnail, "s3", AttemptOutcomes.Failed, "HTTP 500", 4),
                    new VideoFileStored(StoredFileKind.Thumbnail, "cloudinary", "videos/x/thumbnail", "https://example/t", 5, "image/jpeg", new string('b', 64), 5),
                }
                : [],
            new VideoReady("Title", "", At),
        ];
        return events.Aggregate((VideoDetails?)null, (current, e) => VideoDetailsProjection.Apply(current, Id, e))!;
    }

    [Fact]
    public void The_new_thumbnail_serves_its_attempts_replace_the_old_ones_and_the_old_file_is_scheduled_for_removal()
    {
        var video = Ready(withThumbnail: true);
        var attempts = new[]
        {
            new StorageAttempt(StoredFileKind.Thumbnail, "cloudinary", AttemptOutcomes.Failed, "HTTP 500", 6),
            new StorageAttempt(StoredFileKind.Thumbnail, "s3", AttemptOutcomes.Stored, null, 7),
        };

        var events = Decide.ReplaceThumbnail(video, NewThumbnail, attempts, "owner", At);
        var replaced = events.Aggregate(video, (current, e) => VideoDetailsProjection.Apply(current, Id, e)!);

        Assert.Equal([typeof(VideoThumbnailReplaced), typeof(StoredFileCleanupScheduled)], events.Select(e => e.GetType()));
        Assert.Equal(("cloudinary", "videos/x/thumbnail"), (((StoredFileCleanupScheduled)events[1]).Provider, ((StoredFileCleanupScheduled)events[1]).Locator));
        Assert.Equal(NewThumbnail, replaced.Thumbnail!.ToStoredFile());
        Assert.Equal(
            [(StoredFileKind.Video, "cloudinary", "stored"), (StoredFileKind.Thumbnail, "cloudinary", "failed"), (StoredFileKind.Thumbnail, "s3", "stored")],
            replaced.Attempts.Select(a => (a.File, a.Provider, a.Outcome)));
        Assert.Equal([NewThumbnail.Locator, "videos/x/video"], replaced.StoredFiles().Select(f => f.Locator).Order());
    }

    [Fact]
    public void A_video_without_a_thumbnail_gets_one_and_nothing_is_scheduled_for_removal()
    {
        var events = Decide.ReplaceThumbnail(Ready(withThumbnail: false), NewThumbnail, [], "admin", At);

        Assert.IsType<VideoThumbnailReplaced>(Assert.Single(events));
    }
}
