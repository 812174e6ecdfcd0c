using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.UploadVideo;

// The events an upload emits, in the order they can happen. The video id is the stream id.

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

/// <summary>One provider did not take a file (failed, or skipped because its circuit is open).</summary>
internal sealed record StorageAttemptFailed(StoredFileKind File, string Provider, string Outcome, string? Error, long ElapsedMs);

/// <summary>A file landed on a provider: what the catalog needs to play and later delete it.</summary>
internal sealed record VideoFileStored(
    StoredFileKind File,
    string Provider,
    string Locator,
    string? ProviderUrl,
    long Bytes,
    string ContentType,
    string Sha256,
    long ElapsedMs);

/// <summary>Every file is stored and every field is valid: the video is visible from now on.</summary>
internal sealed record VideoReady(string Title, string Description, DateTimeOffset ReadyAt);

/// <summary>The upload did not complete; whatever it stored is cleaned up (see the cleanup events that follow).</summary>
internal sealed record VideoUploadFailed(string Reason, DateTimeOffset FailedAt);
