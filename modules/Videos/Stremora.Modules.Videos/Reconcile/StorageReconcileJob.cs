using System.ComponentModel;
using Hangfire.Server;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.StorageMaintenance;

namespace Stremora.Modules.Videos.Reconcile;

/// <summary>
/// Compares what each provider holds under the service's prefix with the catalog. Only files whose keys the service
/// made are judged (anything else under the prefix or the local root is someone else's). A file no live video
/// claims (and no pending removal covers), and no other module claims through <see cref="IStoredFileClaims"/>, is an orphan: deleted once older than the grace period. A file
/// a ready video plays from that the provider no longer holds is marked (<see cref="VideoFileMissing"/>)
/// and reported; once it is there again, the mark is cleared (<see cref="VideoFileFound"/>). A provider
/// that cannot be listed completely is left alone, orphans and all.
/// </summary>
internal sealed partial class StorageReconcileJob(
    IDocumentStore store,
    IStorageMaintenance maintenance,
    IVideoStorage storage,
    NpgsqlDataSource database,
    IEnumerable<IStoredFileClaims> otherClaims,
    TimeProvider clock,
    IOptions<ReconcileOptions> options,
    IOptions<CleanupOptions> cleanupOptions,
    ILogger<StorageReconcileJob> logger)
{
    public const string RecurringJobId = "storage-reconcile";
    private const int BatchSize = 200;

    /// <returns>The run's report (also stored for <c>GET /api/admin/storage/maintenance</c>); Hangfire shows it as the job's result.</returns>
    [DisplayName("Storage: reconcile providers with the catalog")]
    public async Task<ReconcileReport> RunAsync(PerformContext? context, CancellationToken cancellationToken)
    {
        var run = new Run(clock.GetUtcNow(), TimeSpan.FromMinutes(options.Value.OrphanGraceMinutes));
        var outcome = MaintenanceOutcomes.Completed;
        await using (var held = await MaintenanceLock.TryAcquireAsync(database, cancellationToken))
        {
            if (held is null)
            {
                outcome = MaintenanceOutcomes.Busy;
            }
            else
            {
                foreach (var provider in maintenance.Providers)
                {
                    run.Providers.Add(await ReconcileAsync(run, provider, cancellationToken));
                }
            }
        }

        var report = new ReconcileReport
        {
            JobId = context?.BackgroundJob.Id,
            StartedAt = run.StartedAt,
            FinishedAt = clock.GetUtcNow(),
            Outcome = outcome,
            Providers = run.Providers,
            Missing = [.. run.Missing.Take(ReconcileReport.MaxListed)],
            Found = [.. run.Found.Take(ReconcileReport.MaxListed)],
            OrphansDeleted = [.. run.Deleted.Take(ReconcileReport.MaxListed)],
        };
        await using (var session = store.LightweightSession())
        {
            session.Store(report);
            await session.SaveChangesAsync(cancellationToken);
        }

        return report;
    }

    private async Task<ReconcileProviderResult> ReconcileAsync(Run run, string provider, CancellationToken cancellationToken)
    {
        var tally = new Tally(provider);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var batch = new List<ListedFile>(BatchSize);
            await foreach (var stored in maintenance.ListStoredAsync(provider, cancellationToken))
            {
                listed.Add(stored.File.Locator);
                batch.Add(stored);
                if (batch.Count == BatchSize)
                {
                    await JudgeAsync(run, tally, batch, cancellationToken);
                    batch.Clear();
                }
            }

            await JudgeAsync(run, tally, batch, cancellationToken);
            tally.Listed = listed.Count;
            await FindMissingAsync(run, tally, listed, cancellationToken);
            await FindOthersMissingAsync(run, tally, listed, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            tally.Error = e is StorageListingException ? e.Message : $"unexpected {e.GetType().Name}";
            tally.Listed = listed.Count;
            LogProviderFailed(logger, e, provider);
        }

        LogProvider(logger, provider, tally.Listed, tally.Orphans, tally.Deleted, tally.Young, tally.Missing, tally.NewlyMissing, tally.FoundAgain);
        return new ReconcileProviderResult(
            provider, tally.Listed, tally.Orphans, tally.Deleted, tally.Young, tally.Missing, tally.NewlyMissing, tally.FoundAgain, tally.Error);
    }

    /// <summary>Files under other modules' keys (images/...) that those modules still claim; their other keys are orphans like any.</summary>
    private async Task<HashSet<string>> ClaimedByOtherModulesAsync(string provider, List<ListedFile> batch, CancellationToken cancellationToken)
    {
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var notVideos = batch.Where(s => StorageKey.VideoIdIn(s.File.Locator) is null).Select(s => s.File.Locator).ToList();
        foreach (var claims in otherClaims)
        {
            var theirs = notVideos.Where(claims.Recognises).ToList();
            if (theirs.Count > 0)
            {
                claimed.UnionWith(await claims.ClaimedAsync(provider, theirs, cancellationToken));
            }
        }

        return claimed;
    }

    /// <summary>Listed files against the videos their keys name (<c>videos/{id}/...</c>): claimed, too young, or deleted.</summary>
    private async Task JudgeAsync(Run run, Tally tally, List<ListedFile> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var claimedElsewhere = await ClaimedByOtherModulesAsync(tally.Provider, batch, cancellationToken);
        var ids = batch.Select(s => StorageKey.VideoIdIn(s.File.Locator)).OfType<Guid>().Distinct().ToArray();
        Dictionary<Guid, VideoDetails> videos;
        await using (var query = store.QuerySession())
        {
            videos = (await query.LoadManyAsync<VideoDetails>(cancellationToken, ids)).ToDictionary(v => v.Id);
        }

        foreach (var stored in batch.Where(s => StorageKey.IsServiceKey(s.File.Locator, otherClaims)))
        {
            var video = StorageKey.VideoIdIn(stored.File.Locator) is { } id ? videos.GetValueOrDefault(id) : null;
            if ((video is not null && (PlaysFrom(video, tally.Provider, stored.File.Locator)
                || (RemovalPending(video, tally.Provider, stored.File.Locator) && !await RemovalStalledAsync(run, video.Id, tally.Provider, stored.File.Locator, cancellationToken))))
                || claimedElsewhere.Contains(stored.File.Locator))
            {
                continue;
            }

            tally.Orphans++;
            if (stored.CreatedAt > run.StartedAt - run.Grace)
            {
                tally.Young++;
                continue;
            }

            try
            {
                await storage.DeleteAsync(stored.File, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogOrphanNotDeleted(logger, e, tally.Provider, stored.File.Locator);
                continue;
            }

            tally.Deleted++;
            run.Deleted.Add(new RemovedOrphan(tally.Provider, stored.File.Locator, stored.File.Bytes));
            LogOrphanDeleted(logger, tally.Provider, stored.File.Locator, stored.File.Bytes);
            if (video?.Cleanups.Any(c => c.Is(tally.Provider, stored.File.Locator)) == true)
            {
                // A removal that had given up: the video's history learns it is done after all.
                await store.AppendToLatestAsync(video.Id, Decide.CleanupDone(stored.File), cancellationToken);
            }
        }
    }

    private static bool PlaysFrom(VideoDetails video, string provider, string locator) =>
        video.Status is VideoStatus.Ready or VideoStatus.Uploading or VideoStatus.Storing
        && (video.Video?.Is(provider, locator) == true || video.Thumbnail?.Is(provider, locator) == true);

    /// <summary>A removal job that has not given up should take care of it.</summary>
    private static bool RemovalPending(VideoDetails video, string provider, string locator) =>
        video.Cleanups.Any(c => c.Is(provider, locator) && c.IsPending());

    /// <summary>
    /// The removal's last word (scheduled, or failed and retrying) is older than its whole retry window:
    /// its job was lost or gave up without saying so, and the file is this run's to remove.
    /// </summary>
    private async Task<bool> RemovalStalledAsync(Run run, Guid videoId, string provider, string locator, CancellationToken cancellationToken)
    {
        await using var query = store.QuerySession();
        var events = await query.Events.FetchStreamAsync(videoId, token: cancellationToken);
        var last = events.LastOrDefault(e => e.Data switch
        {
            StoredFileCleanupScheduled s => s.Provider == provider && s.Locator == locator,
            StoredFileCleanupFailed f => f.Provider == provider && f.Locator == locator,
            _ => false,
        });
        return last is not null && last.Timestamp < run.StartedAt - cleanupOptions.Value.RetryWindow;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciled {Provider}: {Listed} listed, {Orphans} orphans ({Deleted} deleted, {Young} within grace), {Missing} missing ({NewlyMissing} newly marked), {FoundAgain} found again")]
    private static partial void LogProvider(ILogger logger, string provider, int listed, int orphans, int deleted, int young, int missing, int newlyMissing, int foundAgain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reconcile {Provider}; its files were left alone")]
    private static partial void LogProviderFailed(ILogger logger, Exception exception, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete orphan {Provider} {Locator}; the next run tries again")]
    private static partial void LogOrphanNotDeleted(ILogger logger, Exception exception, string provider, string locator);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted orphan {Provider} {Locator} ({Bytes} bytes)")]
    private static partial void LogOrphanDeleted(ILogger logger, string provider, string locator, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Video {VideoId} plays from {Provider} {Locator}, which no longer holds it")]
    private static partial void LogMissing(ILogger logger, Guid videoId, string provider, string locator);

    [LoggerMessage(Level = LogLevel.Information, Message = "Video {VideoId}'s file {Provider} {Locator}, marked missing, is there again")]
    private static partial void LogFoundAgain(ILogger logger, Guid videoId, string provider, string locator);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Name} {Id} is served from {Provider} {Locator}, which no longer holds it")]
    private static partial void LogServedMissing(ILogger logger, string name, Guid id, string provider, string locator);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Name} {Id}'s file {Provider} {Locator}, marked missing, is there again")]
    private static partial void LogServedFoundAgain(ILogger logger, string name, Guid id, string provider, string locator);
}
