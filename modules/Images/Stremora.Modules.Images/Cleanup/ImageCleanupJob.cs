using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using Marten;
using Microsoft.Extensions.Logging;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images.Cleanup;

/// <summary>What one cleanup job removes; plain data because Hangfire serialises it into the job (queued jobs hold this shape: keep it).</summary>
internal sealed record ImageCleanup(Guid ImageId, string Provider, string Locator, string? ProviderUrl)
{
    public StoredFile ToStoredFile() => new(Provider, Locator, StoredFileKind.Image, ProviderUrl);
}

/// <summary>
/// Removes an image's stored file from its provider and appends the outcome to the image's stream. Idempotent (the
/// outbox is at-least-once): a removal already done is skipped and storage treats "not found" as done. A failure is
/// recorded and thrown, so Hangfire retries it with its back-off; after the last attempt it stays failed in the
/// dashboard for an admin to retry.
/// </summary>
internal sealed partial class ImageCleanupJob(IVideoStorage storage, IDocumentStore store, ILogger<ImageCleanupJob> logger)
{
    public const int Attempts = 10;

    [AutomaticRetry(Attempts = Attempts, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("Remove image file {0}")]
    public async Task RunAsync(ImageCleanup cleanup, PerformContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cleanup);
        ImageDetails? image;
        await using (var query = store.QuerySession())
        {
            image = await query.LoadAsync<ImageDetails>(cleanup.ImageId, cancellationToken);
        }

        if (image?.Cleanup == ImageCleanupStates.Done)
        {
            return;
        }

        var file = cleanup.ToStoredFile();
        try
        {
            await storage.DeleteAsync(file, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var attempt = (context?.GetJobParameter<int>("RetryCount") ?? 0) + 1;
            var willRetry = attempt <= Attempts;
            LogRemovalFailed(logger, e, cleanup.Provider, cleanup.Locator, cleanup.ImageId, attempt, willRetry);
            await store.AppendToLatestAsync(cleanup.ImageId, Decide.CleanupFailed(file, attempt, e.Message, willRetry), cancellationToken);
            throw;
        }

        await store.AppendToLatestAsync(cleanup.ImageId, Decide.CleanupDone(file), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing {Provider} {Locator} of image {ImageId} failed (attempt {Attempt}, retry: {WillRetry})")]
    private static partial void LogRemovalFailed(ILogger logger, Exception exception, string provider, string locator, Guid imageId, int attempt, bool willRetry);
}
