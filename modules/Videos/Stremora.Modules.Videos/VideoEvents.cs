using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos;

// Every event of a video's stream (the video id is the stream id), in the order they can happen. The type
// names are what Marten stores with each event: renaming one needs a mapping from the old name. The fields
// are what the stored JSON and the history route show: a stored file stays flat here, and becomes the one
// StoredFile value through the ToStoredFile/For helpers below.

/// <summary>The first file section arrived: the stream exists from here on, so a crash mid-upload leaves a trace the sweeper can find.</summary>
/// <param name="Title">The title as far as it had arrived (fields may follow the files; <see cref="VideoReady"/> carries the final one).</param>
/// <param name="DeclaredRequestBytes">The request's Content-Length, when the client sent one.</param>
/// <param name="DeclaredVideoContentType">What the client said the video is; the sniffed type is what counts.</param>
/// <param name="IdempotencyKeyHash">SHA-256 of user + Idempotency-Key, never the raw key.</param>
internal sealed record VideoUploadStarted(
    Guid VideoId,
    string OwnerId,
    string Title,
    string Description,
    long? DeclaredRequestBytes,
    string? DeclaredVideoContentType,
    string? DeclaredThumbnailContentType,
    string? IdempotencyKeyHash,
    DateTimeOffset StartedAt);

/// <summary>
/// Right after <see cref="VideoUploadStarted"/>: the video is a resumable (tus) upload of this many bytes. Its bytes
/// arrive over many requests, its owner sees it before it is ready, and it expires instead of being swept.
/// </summary>
internal sealed record ResumableUploadCreated(long UploadLength);

/// <summary>Every byte of a resumable upload arrived and is staged durably: storing it on a provider starts (status "storing").</summary>
internal sealed record VideoBytesReceived(long Bytes, DateTimeOffset ReceivedAt);

/// <summary>One provider did not take a file (failed, or skipped because its circuit is open).</summary>
internal sealed record StorageAttemptFailed(StoredFileKind File, string Provider, string Outcome, string? Error, long ElapsedMs)
{
    public static StorageAttemptFailed For(StorageAttempt attempt) =>
        new(attempt.File, attempt.Provider, attempt.Outcome, attempt.Error, attempt.ElapsedMs);
}

/// <summary>A file landed on a provider: what the catalog needs to play and later delete it.</summary>
/// <param name="Generated">A thumbnail the service made from the video (a poster frame), not one the client sent.</param>
internal sealed record VideoFileStored(
    StoredFileKind File,
    string Provider,
    string Locator,
    string? ProviderUrl,
    long Bytes,
    string ContentType,
    string Sha256,
    long ElapsedMs,
    bool Generated = false)
{
    public static VideoFileStored For(StoredFile file, long elapsedMs) =>
        new(file.Kind, file.Provider, file.Locator, file.ProviderUrl, file.Bytes, file.ContentType, file.Sha256, elapsedMs);

    public StoredFile ToStoredFile() => new(Provider, Locator, File, ProviderUrl, Bytes, ContentType, Sha256);
}

/// <summary>ffprobe analysed the video file (on the upload's spool): the contract's <c>media</c> from now on.</summary>
internal sealed record VideoAnalyzed(
    double? DurationSeconds,
    int Width,
    int Height,
    int Rotation,
    string VideoCodec,
    string? AudioCodec,
    double? FrameRate,
    long? BitRate,
    string Container,
    DateTimeOffset AnalyzedAt)
{
    public static VideoAnalyzed For(VideoMedia media, DateTimeOffset at) =>
        new(media.DurationSeconds, media.Width, media.Height, media.Rotation, media.VideoCodec, media.AudioCodec, media.FrameRate, media.BitRate, media.Container, at);

    public VideoMedia ToMedia() => new(DurationSeconds, Width, Height, Rotation, VideoCodec, AudioCodec, FrameRate, BitRate, Container);
}

/// <summary>No poster frame could be made or stored for a video sent without a thumbnail: it is ready without one.</summary>
internal sealed record VideoPosterFailed(string Reason, DateTimeOffset FailedAt);

/// <summary>Every file is stored and every field is valid: the video is visible from now on.</summary>
internal sealed record VideoReady(string Title, string Description, DateTimeOffset ReadyAt);

/// <summary>The upload did not complete; whatever it stored is cleaned up (see the cleanup events that follow).</summary>
internal sealed record VideoUploadFailed(string Reason, DateTimeOffset FailedAt);

/// <summary>The video left the catalog; its files are removed by cleanup jobs scheduled in the same transaction.</summary>
/// <param name="DeletedBy">The user id (sub) of whoever deleted it.</param>
/// <param name="ByAdmin">True when an admin deleted someone else's video.</param>
internal sealed record VideoDeleted(string DeletedBy, bool ByAdmin, DateTimeOffset DeletedAt);

/// <summary>
/// A stored file must go. Appending this event is the outbox: the cleanup outbox subscription sees every
/// committed one and enqueues the job, so a crash right after the append loses nothing.
/// </summary>
internal sealed record StoredFileCleanupScheduled(StoredFileKind File, string Provider, string Locator, string? ProviderUrl, string Reason)
{
    public static StoredFileCleanupScheduled For(StoredFile file, string reason) =>
        new(file.Kind, file.Provider, file.Locator, file.ProviderUrl, reason);

    public StoredFile ToStoredFile() => new(Provider, Locator, File, ProviderUrl);
}

/// <summary>The provider no longer holds the file ("not found" counts as gone).</summary>
internal sealed record StoredFileCleanedUp(StoredFileKind File, string Provider, string Locator)
{
    public static StoredFileCleanedUp For(StoredFile file) => new(file.Kind, file.Provider, file.Locator);
}

/// <summary>One delete attempt failed; another is scheduled unless <paramref name="WillRetry"/> is false.</summary>
internal sealed record StoredFileCleanupFailed(StoredFileKind File, string Provider, string Locator, int Attempt, string Error, bool WillRetry);

/// <summary>
/// A file was copied to another provider, verified (size and SHA-256 as the catalog has them) and the video
/// now plays from there. The old copy's removal is scheduled in the same transaction.
/// </summary>
internal sealed record VideoFileMoved(
    StoredFileKind File,
    string FromProvider,
    string FromLocator,
    string ToProvider,
    string ToLocator,
    string? ToProviderUrl,
    long Bytes,
    string Sha256,
    string Reason,
    DateTimeOffset MovedAt);

/// <summary>Reconciliation found that the provider no longer holds a file the catalog says it does.</summary>
internal sealed record VideoFileMissing(StoredFileKind File, string Provider, string Locator, DateTimeOffset DetectedAt);

/// <summary>
/// Reconciliation found a file marked missing (<see cref="VideoFileMissing"/>) on its provider again, under the
/// same locator: a listing that had been incomplete, or an object an operator restored.
/// </summary>
internal sealed record VideoFileFound(StoredFileKind File, string Provider, string Locator, DateTimeOffset DetectedAt);

/// <summary>The owner or an admin changed the title or the description; both are the values from now on.</summary>
/// <param name="ChangedBy">The user id (sub) of whoever changed them.</param>
internal sealed record VideoDetailsChanged(string Title, string Description, string ChangedBy, DateTimeOffset ChangedAt);

/// <summary>The video is shown to everyone again (a ready video is published unless it was unpublished).</summary>
internal sealed record VideoPublished(string ChangedBy, DateTimeOffset ChangedAt);

/// <summary>The video is hidden from everyone but its owner and admins: 404 and absent from lists for the others.</summary>
internal sealed record VideoUnpublished(string ChangedBy, DateTimeOffset ChangedAt);

/// <summary>
/// The owner or an admin replaced the thumbnail: the new file, stored and verified (under a key of its own), serves
/// from now on. The old file's removal is scheduled in the same transaction (<see cref="StoredFileCleanupScheduled"/>).
/// </summary>
/// <param name="Attempts">How the new file was stored: the providers that failed or were skipped, then the one that took it.</param>
internal sealed record VideoThumbnailReplaced(
    string Provider,
    string Locator,
    string? ProviderUrl,
    long Bytes,
    string ContentType,
    string Sha256,
    IReadOnlyList<ThumbnailAttempt> Attempts,
    string ReplacedBy,
    DateTimeOffset ReplacedAt)
{
    public static VideoThumbnailReplaced For(StoredFile file, IEnumerable<StorageAttempt> attempts, string replacedBy, DateTimeOffset at) =>
        new(file.Provider, file.Locator, file.ProviderUrl, file.Bytes, file.ContentType, file.Sha256, [.. attempts.Select(ThumbnailAttempt.For)], replacedBy, at);

    public StoredFile ToStoredFile() => new(Provider, Locator, StoredFileKind.Thumbnail, ProviderUrl, Bytes, ContentType, Sha256);
}

/// <summary>One storage attempt of a replacement thumbnail, as <see cref="VideoThumbnailReplaced"/> keeps it.</summary>
internal sealed record ThumbnailAttempt(string Provider, string Outcome, string? Error, long ElapsedMs)
{
    public static ThumbnailAttempt For(StorageAttempt attempt) => new(attempt.Provider, attempt.Outcome, attempt.Error, attempt.ElapsedMs);
}

/// <summary>The event types above, for Marten's registration: all of them, in stream order.</summary>
internal static class VideoEvents
{
    public static readonly Type[] All =
    [
        typeof(VideoUploadStarted),
        typeof(StorageAttemptFailed),
        typeof(VideoFileStored),
        typeof(VideoReady),
        typeof(VideoUploadFailed),
        typeof(VideoDeleted),
        typeof(StoredFileCleanupScheduled),
        typeof(StoredFileCleanedUp),
        typeof(StoredFileCleanupFailed),
        typeof(VideoFileMoved),
        typeof(VideoFileMissing),
        typeof(VideoFileFound),
        typeof(VideoDetailsChanged),
        typeof(VideoPublished),
        typeof(VideoUnpublished),
        typeof(VideoAnalyzed),
        typeof(VideoPosterFailed),
        typeof(ResumableUploadCreated),
        typeof(VideoBytesReceived),
        typeof(VideoThumbnailReplaced),
    ];
}
