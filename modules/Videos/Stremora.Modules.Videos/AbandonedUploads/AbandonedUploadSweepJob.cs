using Hangfire;
using JasperFx;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Cleanup;
using Stremora.Modules.Videos.GetVideo;
using Stremora.Modules.Videos.UploadVideo;

namespace Stremora.Modules.Videos.AbandonedUploads;

/// <summary>
/// Recurring: an upload still "uploading" long after it started lost its process mid-way. Mark it failed
/// and schedule the removal of whatever it had stored (the cleanup events go through the outbox), then
/// let storage abort provider-side uploads that never finished.
/// </summary>
internal sealed partial class AbandonedUploadSweepJob(IDocumentStore store, IVideoStorage storage, TimeProvider clock, IOptions<UploadOptions> options, ILogger<AbandonedUploadSweepJob> logger)
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
                .Where(v => v.Status == VideoStatuses.Uploading && v.CreatedAt < cutoff)
                .OrderBy(v => v.CreatedAt)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
        }

        var swept = 0;
        foreach (var video in stuck)
        {
            List<object> events = [new VideoUploadFailed($"abandoned: still uploading {threshold} after it started", clock.GetUtcNow())];
            events.AddRange(video.StoredFiles().Select(f => new StoredFileCleanupScheduled(f.File, f.Provider, f.Locator, f.ProviderUrl, "upload abandoned")));
            await using var session = store.LightweightSession();
            // Expected version: if the upload is alive after all and just moved on, leave it alone.
            session.Events.Append(video.Id, video.Version + events.Count, [.. events]);
            if (video.IdempotencyKeyHash is { } keyHash)
            {
                session.DeleteWhere<UploadIdempotencyKey>(k => k.Id == keyHash && k.VideoId == video.Id);
            }

            try
            {
                await session.SaveChangesAsync(cancellationToken);
                swept++;
            }
            catch (Exception e) when (StreamAppends.IsVersionConflict(e))
            {
                LogSkipped(logger, video.Id);
            }
        }

        // A crash mid-upload can leave a provider-side upload that never became a file (S3 multipart): abort those too.
        await storage.AbortAbandonedUploadsAsync(threshold, cancellationToken);
        return swept;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {VideoId} moved on while being swept; left alone")]
    private static partial void LogSkipped(ILogger logger, Guid videoId);
}
