using System.Text.Json.Serialization;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.GetVideo;

/// <summary>The video JSON of the HTTP contract (DESIGN.md), served by upload, get and list.</summary>
internal sealed record VideoResponse(
    Guid Id,
    string Title,
    string Description,
    string OwnerId,
    string Status,
    DateTimeOffset CreatedAt,
    VideoFileResponse Video,
    VideoFileResponse? Thumbnail,
    IReadOnlyList<VideoAttemptResponse> Attempts)
{
    /// <summary>Asks storage for playback URLs now: S3 URLs are presigned and expire, so they are never stored.</summary>
    public static async Task<VideoResponse> FromAsync(VideoDetails video, IVideoStorage storage, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(storage);
        var file = video.Video ?? throw new InvalidOperationException($"Video {video.Id} is {video.Status} but has no stored video file.");
        return new VideoResponse(
            video.Id,
            video.Title,
            video.Description,
            video.OwnerId,
            video.Status,
            video.CreatedAt,
            await VideoFileResponse.FromAsync(file, storage, ct),
            video.Thumbnail is null ? null : await VideoFileResponse.FromAsync(video.Thumbnail, storage, ct),
            [.. video.Attempts.Select(a => new VideoAttemptResponse(FileName(a.File), a.Provider, a.Outcome, a.Error, a.ElapsedMs))]);
    }

    internal static string FileName(StoredFileKind kind) => kind == StoredFileKind.Thumbnail ? "thumbnail" : "video";
}

internal sealed record VideoFileResponse(string Provider, string Locator, string Url, long Bytes, string ContentType, string Sha256)
{
    public static async Task<VideoFileResponse> FromAsync(VideoFileDetails file, IVideoStorage storage, CancellationToken ct) =>
        new(file.Provider, file.Locator, await storage.GetPlaybackUrlAsync(file.ToRef(), ct), file.Bytes, file.ContentType, file.Sha256);
}

internal sealed record VideoAttemptResponse(
    string File,
    string Provider,
    string Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    long ElapsedMs);
