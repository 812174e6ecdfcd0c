using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images;

/// <summary>Every event of an image's stream (the image id is the stream id); their type names are what Marten stores.</summary>
internal static class ImageEvents
{
    public static readonly Type[] All =
    [
        typeof(ImageUploaded),
        typeof(ImageDeleted),
        typeof(ImageCleanupScheduled),
        typeof(ImageCleanedUp),
        typeof(ImageCleanupFailed),
        typeof(ImageFileMissing),
        typeof(ImageFileFound),
    ];
}

/// <summary>One storage attempt of the upload, as the stream keeps it (the failed ones before the stored one).</summary>
internal sealed record ImageAttempt(string Provider, string Outcome, string? Error, long ElapsedMs)
{
    public static ImageAttempt From(StorageAttempt attempt) => new(attempt.Provider, attempt.Outcome, attempt.Error, attempt.ElapsedMs);
}

/// <summary>
/// The image landed on a provider, verified: the stream starts here (an upload that stores nothing leaves no stream,
/// its attempts are in the 503 it answered). <paramref name="IdempotencyKeyHash"/> is the claimed key, if one was sent.
/// </summary>
internal sealed record ImageUploaded(
    string Kind,
    string OwnerId,
    DateTimeOffset UploadedAt,
    string Provider,
    string Locator,
    string? ProviderUrl,
    long Bytes,
    string ContentType,
    string Sha256,
    IReadOnlyList<ImageAttempt> Attempts,
    string? IdempotencyKeyHash)
{
    public StoredFile ToStoredFile() => new(Provider, Locator, StoredFileKind.Image, ProviderUrl, Bytes, ContentType, Sha256);
}

/// <summary>The owner or an admin deleted it: gone from the API from here on.</summary>
internal sealed record ImageDeleted(string DeletedBy, bool ByAdmin, DateTimeOffset DeletedAt);

/// <summary>The stored file must go: the outbox of its cleanup job.</summary>
internal sealed record ImageCleanupScheduled(string Provider, string Locator, string? ProviderUrl)
{
    public StoredFile ToStoredFile() => new(Provider, Locator, StoredFileKind.Image, ProviderUrl);
}

internal sealed record ImageCleanedUp(string Provider, string Locator);

/// <summary>A removal attempt failed; Hangfire retries the job unless <paramref name="WillRetry"/> is false.</summary>
internal sealed record ImageCleanupFailed(string Provider, string Locator, int Attempt, string Error, bool WillRetry);

/// <summary>Reconciliation found that the provider no longer holds the image's file.</summary>
internal sealed record ImageFileMissing(string Provider, string Locator, DateTimeOffset DetectedAt);

/// <summary>Reconciliation found the file marked missing (<see cref="ImageFileMissing"/>) on its provider again, under the same locator.</summary>
internal sealed record ImageFileFound(string Provider, string Locator, DateTimeOffset DetectedAt);
