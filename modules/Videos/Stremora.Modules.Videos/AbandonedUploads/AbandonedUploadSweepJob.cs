using Hangfire;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.AbandonedUploads;

/// <summary>
/// Recurring: an upload still "uploading" long after it started lost its process mid-way. Mark it failed
/// and schedule the removal of whatever it had stored (the cleanup events go through the outbox), then
/// let storage abort provider-side uploads that never finished. Resumable uploads are not swept here: they live
/// until they expire (their own sweep).
/// </summary>
internal sealed partial class AbandonedUploadSweepJob(
    IDocumentStore store,
    IVideoStorage storage,
    IEnumerable<IStoredFileClaims> otherClaims,
    TimeProvider clock,
    IOptions<AbandonedUploadOptions> options,
    ILogger<AbandonedUploadSweepJob> logger)
{
    public const string RecurringJobId = "videos-sweep-abandoned-uploads";
    private const int BatchSize = 100;

    /// <returns>How many uploads were swept.</returns>
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var threshold = options.Value.AbandonedAfter;
        var cutoff = clock.GetUtcNow() - threshold;
        IReadOnlyList<VideoDetails> stuck;
        await using (var query = store.QuerySession())
        {
            stuck = await query.Query<VideoDetails>()
                .Where(v => v.Status == VideoStatus.Uploading && !v.Resumable && v.CreatedAt < cutoff)
                .OrderBy(v => v.CreatedAt)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
        }

        var swept = 0;
        foreach (var video in stuck)
        {
            await using var session = store.LightweightSession();
            IdempotencyKey.Release(session, video.IdempotencyKeyHash, video.Id);
            // Expected version: if the upload is alive after all and just moved on, leave it alone.
            if (await session.TryAppendAsync(video.Id, video.Version, Decide.Abandon(video, threshold, clock.GetUtcNow()), cancellationToken))
            {
                swept++;
            }
            else
            {
                LogSkipped(logger, video.Id);
            }
        }

        // A crash mid-upload can leave a provider-side upload that never became a file (S3 multipart): abort those too.
        await storage.AbortAbandonedUploadsAsync(threshold, key => StorageKey.IsServiceKey(key, otherClaims), cancellationToken);
        return swept;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {VideoId} moved on while being swept; left alone")]
    private static partial void LogSkipped(ILogger logger, Guid videoId);
}
