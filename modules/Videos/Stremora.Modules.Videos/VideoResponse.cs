using System.Text.Json;
using System.Text.Json.Serialization;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos;

/// <summary>The video JSON of the HTTP contract (docs/architecture.md), served by upload, get and list.</summary>
internal sealed record VideoResponse(
    Guid Id,
    string Title,
    string Description,
    string OwnerId,
    string Status,
    DateTimeOffset CreatedAt,
    VideoFileResponse? Video,
    bool Published,
    VideoMedia? Media,
    VideoFileResponse? Thumbnail,
    IReadOnlyList<VideoAttemptResponse> Attempts)
{
    /// <summary>The status as the contract writes it (the same name the read model stores).</summary>
    public static string StatusName(VideoStatus status) => JsonSerializer.Serialize(status).Trim('"');

    public static string Location(Guid id) => $"/api/videos/{id}";

    /// <summary>Asks storage for playback URLs now: S3 URLs are presigned and expire, so they are never stored.</summary>
    public static async Task<VideoResponse> FromAsync(VideoDetails video, IVideoStorage storage, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(storage);
        // Only a ready video must have its file; a resumable upload is shown to its owner before it has one.
        var file = video.Video ?? (video.Status == VideoStatus.Ready ? throw new InvalidOperationException($"Video {video.Id} is {video.Status} but has no stored video file.") : null);
        return new VideoResponse(
            video.Id,
            video.Title,
            video.Description,
            video.OwnerId,
            StatusName(video.Status),
            video.CreatedAt,
            file is null ? null : await VideoFileResponse.FromAsync(file, storage, ct),
            video.Published,
            video.Media,
            video.Thumbnail is null ? null : await VideoFileResponse.FromAsync(video.Thumbnail, storage, ct) with { Source = video.Thumbnail.Generated ? "generated" : "uploaded" },
            [.. video.Attempts.Select(a => new VideoAttemptResponse(StorageKey.FileName(a.File), a.Provider, a.Outcome, a.Error, a.ElapsedMs))]);
    }
}

/// <param name="Source">Thumbnails only: <c>uploaded</c> by the client or <c>generated</c> from the video (a poster frame).</param>
internal sealed record VideoFileResponse(
    string Provider,
    string Locator,
    string Url,
    long Bytes,
    string ContentType,
    string Sha256,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Source = null)
{
    public static async Task<VideoFileResponse> FromAsync(VideoFileDetails file, IVideoStorage storage, CancellationToken ct) =>
        new(file.Provider, file.Locator, await storage.GetPlaybackUrlAsync(file.ToStoredFile(), ct), file.Bytes, file.ContentType, file.Sha256);
}

internal sealed record VideoAttemptResponse(
    string File,
    string Provider,
    string Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    long ElapsedMs)
{
    public static VideoAttemptResponse For(StorageAttempt attempt) =>
        new(StorageKey.FileName(attempt.File), attempt.Provider, attempt.Outcome, attempt.Error, attempt.ElapsedMs);
}
