using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images;

/// <summary>The image's lifecycle rules: state + what happened -> the events to append. Pure.</summary>
internal static class Decide
{
    public static ImageUploaded Upload(string kind, string ownerId, StoreOutcome.Stored stored, DateTimeOffset at, string? idempotencyKeyHash)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var file = stored.File;
        return new ImageUploaded(
            kind,
            ownerId,
            at,
            file.Provider,
            file.Locator,
            file.ProviderUrl,
            file.Bytes,
            file.ContentType,
            file.Sha256,
            [.. stored.Attempts.Select(ImageAttempt.From)],
            idempotencyKeyHash);
    }

    /// <summary>Gone from the API at once; the provider's copy goes through the cleanup outbox.</summary>
    public static IReadOnlyList<object> Delete(ImageDetails image, string userId, bool byAdmin, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Status != ImageStatuses.Ready
            ? []
            : [new ImageDeleted(userId, byAdmin, at), new ImageCleanupScheduled(image.File.Provider, image.File.Locator, image.File.ProviderUrl)];
    }

    public static ImageCleanedUp CleanupDone(StoredFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new ImageCleanedUp(file.Provider, file.Locator);
    }

    public static ImageCleanupFailed CleanupFailed(StoredFile file, int attempt, string error, bool willRetry)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new ImageCleanupFailed(file.Provider, file.Locator, attempt, error, willRetry);
    }

    /// <summary>What reconciliation found about the image's file, as the event to append: null when the mark is already so (or the image is gone).</summary>
    public static object? Finding(ImageDetails image, bool missing, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Status != ImageStatuses.Ready || image.FileMissing == missing ? null
            : missing ? new ImageFileMissing(image.File.Provider, image.File.Locator, at)
            : new ImageFileFound(image.File.Provider, image.File.Locator, at);
    }
}
