namespace Stremora.Modules.Videos.Tests.Reconcile;

/// <summary>Reconciliation finds a stored file's video by the key the service gave it, on every provider's locator shape.</summary>
public sealed class VideoKeyTests
{
    private const string Id = "01a20c7d1cd071c38916d7e826bb8743";
    private const string MoveId = "019ad6b1c4e07d2a9c3f5b8e1a2d4c6f";

    [Theory]
    [InlineData("videos/" + Id + "/video.mp4")]
    [InlineData("videos/" + Id + "/thumbnail.jpg")]
    [InlineData("stremora/videos/" + Id + "/video")]
    [InlineData("tenant/stremora/videos/" + Id + "/thumbnail")]
    [InlineData("stremora/videos/" + Id + "/video." + MoveId)]
    [InlineData("videos/" + Id + "/thumbnail." + MoveId + ".jpg")]
    public void The_video_id_is_read_from_the_services_keys_and_each_moves_own(string locator) =>
        Assert.Equal(Guid.ParseExact(Id, "N"), StorageKey.VideoIdIn(locator));

    [Theory]
    [InlineData("videos/" + Id)]
    [InlineData("videos/not-a-video-id/video.mp4")]
    [InlineData("clips/" + Id + "/video.mp4")]
    [InlineData("stremora/videos/01A20C7D1CD071C38916D7E826BB8743/video")]
    [InlineData("holiday.mp4")]
    [InlineData("videos/" + Id + "/video/extra")]
    [InlineData("videos/" + Id + "/poster.jpg")]
    [InlineData("videos/" + Id + "/video.not-a-move-id")]
    [InlineData("stremora-backups/videos/" + Id + "/video.tar.gz.old")]
    public void Anything_else_names_no_video(string locator) =>
        Assert.Null(StorageKey.VideoIdIn(locator));
}
