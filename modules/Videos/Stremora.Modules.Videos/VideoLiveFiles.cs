using Marten;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos;

/// <summary>
/// Tells the media route which video keys it may serve: the current video file or thumbnail of a ready video (published
/// or not). A deleted or failed video's files, a replaced thumbnail and a moved copy's old key are not served, even while
/// the disk still holds them because their removal job has not run yet.
/// </summary>
internal sealed class VideoLiveFiles(IDocumentStore store) : ILiveFiles
{
    public bool Recognises(string locator) => StorageKey.VideoIdIn(locator) is not null;

    public async Task<bool> ServesAsync(string provider, string locator, CancellationToken cancellationToken)
    {
        if (StorageKey.VideoIdIn(locator) is not { } id)
        {
            return false;
        }

        await using var query = store.QuerySession();
        var video = await query.LoadAsync<VideoDetails>(id, cancellationToken);
        return video is { Status: VideoStatus.Ready }
            && (video.Video?.Is(provider, locator) == true || video.Thumbnail?.Is(provider, locator) == true);
    }
}
