namespace Stremora.Modules.Storage.Contracts;

/// <summary>
/// What other modules may ask of storage: store a stream on the first provider that takes it
/// (Cloudinary, then S3, ...), delete a stored file, and produce a playback URL.
/// </summary>
public interface IVideoStorage
{
    /// <summary>
    /// Streams <paramref name="content"/> through the failover chain. Returns where the file landed
    /// and every attempt made. Throws <see cref="FileTooLargeException"/> as soon as more than
    /// <see cref="StoreFileRequest.MaxBytes"/> arrive and <see cref="AllProvidersFailedException"/>
    /// when no provider stored it; in both cases nothing is left on any provider.
    /// </summary>
    Task<StoreResult> StoreAsync(StoreFileRequest request, Stream content, CancellationToken cancellationToken);

    /// <summary>Removes a stored file from its provider. "Not found" counts as done; transient failures throw.</summary>
    Task DeleteAsync(StoredFileRef file, CancellationToken cancellationToken);

    /// <summary>A URL a browser can play the file from (presigned for S3, so ask again rather than caching it).</summary>
    Task<string> GetPlaybackUrlAsync(StoredFileRef file, CancellationToken cancellationToken);

    /// <summary>
    /// For the stuck-upload sweeper job: aborts provider-side uploads that were started more than
    /// <paramref name="olderThan"/> ago and never finished (S3 multipart uploads under this service's
    /// keys); a no-op for providers without such a thing. Returns how many were aborted. Idempotent.
    /// </summary>
    Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, CancellationToken cancellationToken);
}

public enum StoredFileKind
{
    Video,
    Thumbnail,
}

/// <param name="Kind">Video or thumbnail: decides Cloudinary's resource type and the key prefix.</param>
/// <param name="Key">Service-generated name (never the client's file name), e.g. <c>videos/{id}/video</c>.</param>
/// <param name="ContentType">The sniffed content type.</param>
/// <param name="MaxBytes">The writer stops with <see cref="FileTooLargeException"/> past this many bytes.</param>
public sealed record StoreFileRequest(StoredFileKind Kind, string Key, string ContentType, long MaxBytes);

/// <summary>Identifies a stored file for delete and playback; what the catalog keeps.</summary>
public sealed record StoredFileRef(string Provider, string Locator, StoredFileKind Kind, string? ProviderUrl = null);

public sealed record StoredFile(
    string Provider,
    string Locator,
    string Url,
    long Bytes,
    string ContentType,
    string Sha256,
    StoredFileKind Kind)
{
    public StoredFileRef Ref => new(Provider, Locator, Kind, Url);
}

public static class AttemptOutcomes
{
    public const string Stored = "stored";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

public sealed record StorageAttempt(StoredFileKind File, string Provider, string Outcome, string? Error, long ElapsedMs);

public sealed record StoreResult(StoredFile Stored, IReadOnlyList<StorageAttempt> Attempts);

public sealed class FileTooLargeException(StoredFileKind kind, long maxBytes)
    : Exception($"The {kind.ToString().ToLowerInvariant()} is larger than the limit of {maxBytes} bytes.")
{
    public StoredFileKind Kind { get; } = kind;
    public long MaxBytes { get; } = maxBytes;
}

public sealed class AllProvidersFailedException(IReadOnlyList<StorageAttempt> attempts)
    : Exception("Every storage provider failed: " + string.Join("; ", attempts.Select(a => $"{a.Provider}: {a.Error ?? a.Outcome}")))
{
    public IReadOnlyList<StorageAttempt> Attempts { get; } = attempts;
}
