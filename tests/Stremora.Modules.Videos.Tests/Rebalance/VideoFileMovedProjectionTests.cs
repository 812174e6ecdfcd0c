using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.GetVideo;
using Stremora.Modules.Videos.Rebalance;
using Stremora.Modules.Videos.Reconcile;
using Stremora.Modules.Videos.UploadVideo;

namespace Stremora.Modules.Videos.Tests.Rebalance;

/// <summary>How the read model takes a move and a missing file: the URL switches, the content facts stay.</summary>
public sealed class VideoFileMovedProjectionTests
{
    private static readonly Guid Id = Guid.CreateVersion7();
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly string Sha = new('b', 64);

    private static VideoDetails Ready() => new object[]
        {
            new VideoUploadStarted(Id, "owner", "Title", "", null, "video/mp4", "image/jpeg", null, At),
            new VideoFileStored(StoredFileKind.Video, "s3", "stremora/videos/x/video", "https://s3/v", 10, "video/mp4", Sha, 1),
            new VideoFileStored(StoredFileKind.Thumbnail, "s3", "stremora/videos/x/thumbnail", "https://s3/t", 3, "image/jpeg", new string('c', 64), 1),
            new VideoReady("Title", "", At),
        }
        .Aggregate((VideoDetails?)null, (current, e) => VideoDetailsProjection.Apply(current, Id, e))!;

    [Fact]
    public void A_move_switches_the_file_to_its_new_provider_and_keeps_size_type_and_checksum()
    {
        var moved = VideoDetailsProjection.Apply(
            Ready(),
            Id,
            new VideoFileMoved(StoredFileKind.Video, "s3", "stremora/videos/x/video", "cloudinary", "stremora/videos/x/video", "https://cdn/v.mp4", 10, Sha, "returned", At))!;

        Assert.Equal(
            new VideoFileDetails(StoredFileKind.Video, "cloudinary", "stremora/videos/x/video", "https://cdn/v.mp4", 10, "video/mp4", Sha),
            moved.Video);
        Assert.Equal("s3", moved.Thumbnail!.Provider);
        Assert.Equal(VideoStatus.Ready, moved.Status);
    }

    [Fact]
    public void A_move_of_a_file_the_video_no_longer_plays_from_changes_nothing()
    {
        var ready = Ready();
        var stale = VideoDetailsProjection.Apply(
            ready,
            Id,
            new VideoFileMoved(StoredFileKind.Video, "local", "videos/x/video.mp4", "cloudinary", "stremora/videos/x/video", "https://cdn/v.mp4", 10, Sha, "returned", At))!;

        Assert.Equal(ready.Video, stale.Video);
    }

    [Fact]
    public void A_missing_file_is_marked_and_only_that_file()
    {
        var missing = VideoDetailsProjection.Apply(Ready(), Id, new VideoFileMissing(StoredFileKind.Thumbnail, "s3", "stremora/videos/x/thumbnail", At))!;

        Assert.True(missing.Thumbnail!.Missing);
        Assert.False(missing.Video!.Missing);
        Assert.Equal(VideoStatus.Ready, missing.Status);
    }

    [Fact]
    public void A_missing_file_found_again_is_unmarked_and_only_that_file()
    {
        var bothMissing = new object[]
            {
                new VideoFileMissing(StoredFileKind.Video, "s3", "stremora/videos/x/video", At),
                new VideoFileMissing(StoredFileKind.Thumbnail, "s3", "stremora/videos/x/thumbnail", At),
            }
            .Aggregate(Ready(), (current, e) => VideoDetailsProjection.Apply(current, Id, e)!);

        var found = VideoDetailsProjection.Apply(bothMissing, Id, new VideoFileFound(StoredFileKind.Video, "s3", "stremora/videos/x/video", At))!;

        Assert.False(found.Video!.Missing);
        Assert.True(found.Thumbnail!.Missing);
        Assert.Equal(Ready().Video, found.Video);
    }

    [Fact]
    public void A_file_found_under_a_locator_the_video_no_longer_plays_from_changes_nothing()
    {
        var missing = VideoDetailsProjection.Apply(Ready(), Id, new VideoFileMissing(StoredFileKind.Video, "s3", "stremora/videos/x/video", At))!;

        var stale = VideoDetailsProjection.Apply(missing, Id, new VideoFileFound(StoredFileKind.Video, "cloudinary", "stremora/videos/x/video", At))!;

        Assert.True(stale.Video!.Missing);
    }
}
