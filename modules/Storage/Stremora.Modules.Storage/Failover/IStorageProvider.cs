using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Failover;

/// <summary>One place files can live (Cloudinary, S3, local disk). The chain tries them in order.</summary>
internal interface IStorageProvider
{
    /// <summary>Lower-case name recorded on events and shown in the API: <c>cloudinary</c>, <c>s3</c>, <c>local</c>.</summary>
    string Name { get; }

    /// <summary>False when its settings are absent: the chain leaves it out.</summary>
    bool IsConfigured { get; }

    /// <summary>True when it reports the stored file's MD5 (<see cref="ProviderStoredFile.Md5"/>): its first read of the spool starts the spool's own MD5 pass, compared once it is done.</summary>
    bool ReportsMd5 => false;

    /// <summary>True for the provider that takes uploads when no provider in <c>Storage:Order</c> is configured (local disk).</summary>
    bool IsFallback => false;

    /// <summary>
    /// Reads the file from <paramref name="source"/> (which may still be arriving) and stores it.
    /// Must not buffer whole parts in memory: send ranges of the spool with <see cref="ISpooledSource.OpenRange"/>.
    /// Must leave nothing behind when it throws (abort multipart uploads, delete partial files).
    /// </summary>
    Task<ProviderStoredFile> UploadAsync(ProviderUpload upload, ISpooledSource source, CancellationToken cancellationToken);

    /// <summary>Idempotent: "not found" is success. Throws on transient failures so the job retries.</summary>
    Task DeleteAsync(StoredFile file, CancellationToken cancellationToken);

    Task<string> GetPlaybackUrlAsync(StoredFile file, CancellationToken cancellationToken);
}

internal sealed record ProviderUpload(StoredFileKind Kind, string Key, string ContentType);

/// <param name="Locator">The provider's id for the file (Cloudinary public_id, S3 key, local relative path).</param>
/// <param name="Url">The provider's URL for it (Cloudinary secure_url; for S3/local the chain asks for a playback URL).</param>
/// <param name="Bytes">The size the provider reports having stored: the chain compares it with what was sent.</param>
/// <param name="Sha256">The SHA-256 the provider reports, when it reports one: compared too.</param>
/// <param name="Md5">The MD5 the provider reports (Cloudinary's etag), when it reports one: compared too.</param>
internal sealed record ProviderStoredFile(string Locator, string Url, long Bytes, string? Sha256 = null, string? Md5 = null);

/// <summary>
/// A file that is being received (spool-tee): one writer appends to a temp file while any number of
/// readers consume it, waiting for bytes that have not arrived yet.
/// </summary>
internal interface ISpooledSource
{
    /// <summary>
    /// Waits until <paramref name="count"/> bytes from <paramref name="offset"/> have arrived, or the
    /// file is complete. Returns how many of them are available (less than <paramref name="count"/> only at the end).
    /// Throws if the writer failed (client aborted, file too large).
    /// </summary>
    ValueTask<long> WaitForAsync(long offset, long count, CancellationToken cancellationToken);

    /// <summary>The final length, once the writer has finished; null while bytes are still arriving.</summary>
    long? TotalLength { get; }

    /// <summary>A read-only stream over bytes that have already arrived (call <see cref="WaitForAsync"/> first).</summary>
    Stream OpenRange(long offset, long length);
}

internal readonly record struct SpoolChunk(long Offset, long Length, bool IsLast, long? Total);

internal static class SpooledSourceExtensions
{
    /// <summary>
    /// Cuts the arriving file into chunks of <paramref name="chunkSize"/> bytes (the last may be shorter),
    /// yielding each as soon as it has fully arrived and it is known whether more follows.
    /// An empty file yields one empty last chunk.
    /// </summary>
    public static async IAsyncEnumerable<SpoolChunk> ChunksAsync(
        this ISpooledSource source,
        long chunkSize,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        long offset = 0;
        while (true)
        {
            // Ask for one byte more than a chunk: that tells whether this chunk is the last.
            var available = await source.WaitForAsync(offset, chunkSize + 1, cancellationToken);
            if (available > chunkSize)
            {
                yield return new SpoolChunk(offset, chunkSize, IsLast: false, Total: null);
                offset += chunkSize;
                continue;
            }

            yield return new SpoolChunk(offset, available, IsLast: true, Total: offset + available);
            yield break;
        }
    }
}

/// <summary>
/// A provider refused or failed to store/delete a file. <see cref="IsTransient"/> says whether trying
/// again later may succeed (timeouts, 5xx, rate limits) or not (bad credentials, bad request).
/// The message goes to the log and must never contain a secret; <see cref="PublicMessage"/> is what users see.
/// </summary>
internal sealed class StorageProviderException(string provider, string message, bool isTransient, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Provider { get; } = provider;

    /// <summary>What the attempt list shows (responses, history): what failed, in words; no address, no provider text. The message by default.</summary>
    public string PublicMessage { get; init; } = message;

    public bool IsTransient { get; } = isTransient;

    /// <summary>
    /// The provider refused this one file (400, 409, 411, 413, 415, 422: what was sent, not the provider, is at fault).
    /// Says nothing about its health, so it never counts against its circuit; bad credentials or a missing bucket do.
    /// </summary>
    public bool RefusedTheFile { get; init; }

    public static bool IsRefusalOfTheFile(int status) => status is 400 or 409 or 411 or 413 or 415 or 422;
}
