namespace Stremora.Modules.Storage.Contracts;

/// <summary>
/// What other modules may ask of storage: store a stream on the first provider that takes it
/// (Cloudinary, then S3, ...), delete a stored file, and produce a playback URL.
/// </summary>
public interface IVideoStorage
{
    /// <summary>
    /// Streams <paramref name="content"/> through the failover chain and says how it ended (<see cref="StoreOutcome"/>):
    /// stored (where, and every attempt), every provider failed, too large, refused by the request's inspector, or aborted by its source. Whenever it
    /// is not stored, nothing is left on any provider. Only the caller's own cancellation throws.
    /// </summary>
    Task<StoreOutcome> StoreAsync(StoreFileRequest request, Stream content, CancellationToken cancellationToken);

    /// <summary>Removes a stored file from its provider. "Not found" counts as done; transient failures throw.</summary>
    Task DeleteAsync(StoredFile file, CancellationToken cancellationToken);

    /// <summary>A URL a browser can play the file from (presigned for S3, so ask again rather than caching it).</summary>
    Task<string> GetPlaybackUrlAsync(StoredFile file, CancellationToken cancellationToken);

    /// <summary>
    /// For the stuck-upload sweeper job: aborts provider-side uploads that were started more than
    /// <paramref name="olderThan"/> ago and never finished (S3 multipart uploads under this service's
    /// keys); a no-op for providers without such a thing. Returns how many were aborted. Idempotent.
    /// Only uploads whose key <paramref name="isOurs"/> recognises (storage cannot tell a module's keys) are aborted.
    /// </summary>
    Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, Func<string, bool> isOurs, CancellationToken cancellationToken);
}

/// <summary>
/// A stream to store whose bytes this server already keeps in a file (a resumable upload's staged file): the chain
/// replays that file to each provider instead of copying the stream into a spool of its own. The stream reads the file
/// in order from its first byte, and no byte it has handed out changes until the store ends.
/// </summary>
public interface IFileBackedSource
{
    /// <summary>The file's full path on this server.</summary>
    string FilePath { get; }
}

public enum StoredFileKind
{
    Video,
    Thumbnail,

    /// <summary>An avatar or cover of the images module: an image resource, like a thumbnail.</summary>
    Image,
}

/// <param name="Kind">Video, thumbnail or image: decides Cloudinary's resource type and the key prefix.</param>
/// <param name="Key">Service-generated name (never the client's file name), e.g. <c>videos/{id}/video</c>.</param>
/// <param name="ContentType">The sniffed content type.</param>
/// <param name="MaxBytes">Past this many bytes the upload stops as <see cref="StoreOutcome.TooLarge"/>.</param>
/// <param name="Inspect">Optional: run on the spooled file once every byte has arrived (see <see cref="SpoolInspector"/>).</param>
public sealed record StoreFileRequest(StoredFileKind Kind, string Key, string ContentType, long MaxBytes, SpoolInspector? Inspect = null);

/// <summary>
/// The caller's look at a file while storage still holds it on local disk: called once, with the path of the complete
/// spool file (read it; never keep the path), while the first provider may still be receiving it. Storage knows
/// nothing of what it checks; a <see cref="SpoolVerdict.Refused"/> stops every attempt and leaves nothing stored.
/// </summary>
public delegate Task<SpoolVerdict> SpoolInspector(string spooledFilePath, CancellationToken cancellationToken);

/// <summary>What a <see cref="SpoolInspector"/> decided.</summary>
public abstract record SpoolVerdict
{
    public static readonly SpoolVerdict Accept = new Accepted();

    public sealed record Accepted : SpoolVerdict;

    /// <param name="Reason">Why, in words the caller may show its client.</param>
    public sealed record Refused(string Reason) : SpoolVerdict;
}

/// <summary>
/// A file on a provider: what storage returns, what the catalog records, and what is passed back to play,
/// probe or delete it. Only <paramref name="Provider"/>, <paramref name="Locator"/> and <paramref name="Kind"/>
/// identify it; the rest describes it where known (a pending removal knows no checksum).
/// </summary>
/// <param name="Locator">The provider's id for the file (Cloudinary public_id, S3 key, local relative path).</param>
/// <param name="ProviderUrl">The playback URL the provider gave when the file was stored (Cloudinary's secure_url,
/// an S3 presigned URL that has since expired, the local /media route): served only for a provider no longer registered.</param>
public sealed record StoredFile(
    string Provider,
    string Locator,
    StoredFileKind Kind,
    string? ProviderUrl = null,
    long Bytes = 0,
    string ContentType = "",
    string Sha256 = "")
{
    public bool IsAt(string provider, string locator) => Provider == provider && Locator == locator;
}

public static class AttemptOutcomes
{
    public const string Stored = "stored";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

public sealed record StorageAttempt(StoredFileKind File, string Provider, string Outcome, string? Error, long ElapsedMs);

/// <summary>How one <see cref="IVideoStorage.StoreAsync"/> ended; callers switch on the case. Every case carries the attempts made.</summary>
public abstract record StoreOutcome(IReadOnlyList<StorageAttempt> Attempts)
{
    /// <summary>A provider took the file and it was verified (size, checksums).</summary>
    public sealed record Stored(StoredFile File, IReadOnlyList<StorageAttempt> Attempts) : StoreOutcome(Attempts);

    /// <summary>Every provider failed or was skipped; the attempts say why.</summary>
    public sealed record AllFailed(IReadOnlyList<StorageAttempt> Attempts) : StoreOutcome(Attempts)
    {
        public string Describe() => string.Join("; ", Attempts.Select(a => $"{a.Provider}: {a.Error ?? a.Outcome}"));
    }

    /// <summary>More than <see cref="StoreFileRequest.MaxBytes"/> arrived.</summary>
    public sealed record TooLarge(StoredFileKind Kind, long MaxBytes, IReadOnlyList<StorageAttempt> Attempts) : StoreOutcome(Attempts)
    {
        public string Message => $"The {Kind.ToString().ToLowerInvariant()} is larger than the limit of {MaxBytes} bytes.";
    }

    /// <summary>The request's <see cref="StoreFileRequest.Inspect"/> refused the file; nothing is left on any provider.</summary>
    public sealed record Refused(string Reason, IReadOnlyList<StorageAttempt> Attempts) : StoreOutcome(Attempts);

    /// <summary>
    /// The source stream failed (the client went away, a malformed body): <paramref name="Cause"/> is its error, for the
    /// caller to answer; or this server could not keep the upload's temporary copy (<see cref="StorageSpoolException"/>).
    /// </summary>
    public sealed record Aborted(Exception Cause, IReadOnlyList<StorageAttempt> Attempts) : StoreOutcome(Attempts);
}

/// <summary>This server could not write the upload's temporary copy (disk full, folder gone): a storage failure, not the client's.</summary>
public sealed class StorageSpoolException(Exception innerException)
    : Exception("The server could not keep a temporary copy of the upload.", innerException);
