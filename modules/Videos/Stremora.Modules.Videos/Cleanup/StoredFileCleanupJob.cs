using System.ComponentModel;
using Hangfire;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Cleanup;

/// <summary>What one cleanup job removes; plain data because Hangfire serialises it into the job (queued jobs hold this shape: keep it).</summary>
internal sealed record StoredFileCleanup(Guid VideoId, StoredFileKind File, string Provider, string Locator, string? ProviderUrl)
{
    public static StoredFileCleanup For(Guid videoId, StoredFileCleanupScheduled scheduled) =>
        new(videoId, scheduled.File, scheduled.Provider, scheduled.Locator, scheduled.ProviderUrl);

    public StoredFile ToStoredFile() => new(Provider, Locator, File, ProviderUrl);
}

/// <summary>
/// Removes one stored file from its provider and appends the outcome to the video's stream.
/// Idempotent (it may run twice: the outbox is at-least-once): a file already cleaned up is skipped and
/// storage treats "not found" as done. A provider's refusal is retried by the job itself, so the back-off
/// is configurable (<see cref="CleanupOptions"/>); after the last attempt it gives up and stays failed in the
/// dashboard, where an admin can retry it. Anything else that throws (the catalog or Hangfire's storage
/// unreachable while it loads, appends or schedules) is retried by Hangfire with its own back-off, and
/// after those too it stays failed in the dashboard. Either way reconciliation removes a file whose
/// cleanup has stalled past <see cref="CleanupOptions.RetryWindow"/>.
/// </summary>
internal sealed class StoredFileCleanupJob(
    IVideoStorage storage,
    IDocumentStore store,
    IBackgroundJobClient jobs,
    IOptions<CleanupOptions> options,
    ILogger<StoredFileCleanupJob> logger)
{
    [AutomaticRetry(
        Attempts = 8,
        // Runs that failed outside the provider (database, scheduling); CleanupOptions.InfrastructureRetryWindowSeconds is their sum.
        DelaysInSeconds = new[] { 10, 30, 60, 300, 900, 1800, 3600, 3600 },
        ExceptOn = new[] { typeof(CleanupGaveUpException) },
        OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("Remove {0}, attempt {1}")]
    public async Task RunAsync(StoredFileCleanup cleanup, int attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cleanup);
        VideoDetails? video;
        await using (var query = store.QuerySession())
        {
            video = await query.LoadAsync<VideoDetails>(cleanup.VideoId, cancellationToken);
        }

        var file = cleanup.ToStoredFile();
        if (video?.IsCleanedUp(file) == true)
        {
            return;
        }

        try
        {
            await storage.DeleteAsync(file, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var willRetry = attempt < options.Value.MaxAttempts;
            logger.LogWarning(e, "Removing {Provider} {Locator} of video {VideoId} failed (attempt {Attempt}, retry: {WillRetry})", cleanup.Provider, cleanup.Locator, cleanup.VideoId, attempt, willRetry);
            // If this append or the Schedule below throws, Hangfire runs this attempt again later.
            await store.AppendToLatestAsync(cleanup.VideoId, Decide.CleanupFailed(file, attempt, e.Message, willRetry), cancellationToken);
            if (!willRetry)
            {
                throw new CleanupGaveUpException(cleanup, attempt, e);
            }

            jobs.Schedule<StoredFileCleanupJob>(j => j.RunAsync(cleanup, attempt + 1, CancellationToken.None), options.Value.DelayAfter(attempt));
            return;
        }

        await store.AppendToLatestAsync(cleanup.VideoId, Decide.CleanupDone(file), cancellationToken);
    }
}

/// <summary>The provider refused every attempt: the job stays failed in the dashboard (Hangfire does not retry it on its own).</summary>
internal sealed class CleanupGaveUpException(StoredFileCleanup cleanup, int attempts, Exception innerException)
    : Exception($"Gave up removing {cleanup.Provider} {cleanup.Locator} after {attempts} attempts: {innerException.Message}", innerException);
