using System.ComponentModel;
using Hangfire.Server;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.StorageMaintenance;

namespace Stremora.Modules.Videos.Rebalance;

/// <summary>
/// Return to primary: files that failed over to a later provider are copied back to the first one while
/// it takes work, verified against the catalog (size and SHA-256), recorded (<see cref="VideoFileMoved"/>,
/// which switches the video's URL) and only then is the old copy's removal scheduled, in the same
/// transaction. Each copy goes to a key of its own, so the copy of a run that loses a race is removed
/// without touching the live file. Any failure leaves the video where it was; a crash after the copy
/// leaves an unclaimed file on the primary that reconciliation removes.
/// </summary>
internal sealed partial class StorageRebalanceJob(
    IDocumentStore store,
    IStorageMaintenance maintenance,
    IVideoStorage storage,
    NpgsqlDataSource database,
    TimeProvider clock,
    IOptions<RebalanceOptions> options,
    ILogger<StorageRebalanceJob> logger)
{
    public const string RecurringJobId = "storage-rebalance";
    private const int PageSize = 50;

    /// <returns>The run's report (also stored for <c>GET /api/admin/storage/maintenance</c>); Hangfire shows it as the job's result.</returns>
    [DisplayName("Storage: return files to the primary provider")]
    public async Task<RebalanceReport> RunAsync(PerformContext? context, CancellationToken cancellationToken)
    {
        var primary = maintenance.Primary;
        var report = new RebalanceReport
        {
            JobId = context?.BackgroundJob.Id,
            StartedAt = clock.GetUtcNow(),
            Primary = primary.Name,
            PrimaryCircuit = primary.CircuitState,
        };

        await using (var held = await MaintenanceLock.TryAcquireAsync(database, cancellationToken))
        {
            report = held is null ? report with { Outcome = MaintenanceOutcomes.Busy }
                : !primary.AcceptsWork ? report with { Outcome = MaintenanceOutcomes.PrimaryUnavailable }
                : await RebalanceAsync(report, primary.Name, cancellationToken);
        }

        report = report with { FinishedAt = clock.GetUtcNow(), PrimaryCircuit = maintenance.Primary.CircuitState };
        await using (var session = store.LightweightSession())
        {
            session.Store(report);
            await session.SaveChangesAsync(cancellationToken);
        }

        LogRun(logger, report.Outcome, report.Moved, report.Failed, report.Skipped, report.MoreToDo);
        return report;
    }

    private async Task<RebalanceReport> RebalanceAsync(RebalanceReport report, string primary, CancellationToken cancellationToken)
    {
        var budget = options.Value.MaxFilesPerRun;
        var results = new List<RebalanceFileResult>();
        var cursor = DateTimeOffset.MinValue;
        while (true)
        {
            IReadOnlyList<VideoDetails> page;
            await using (var query = store.QuerySession())
            {
                // Oldest first; paged by creation time because moved videos drop out of the query as it goes.
                page = await query.Query<VideoDetails>()
                    .Where(v => v.Status == VideoStatus.Ready && v.CreatedAt > cursor)
                    .Where(v => v.Video!.Provider != primary || (v.Thumbnail != null && v.Thumbnail.Provider != primary))
                    .OrderBy(v => v.CreatedAt)
                    .Take(PageSize)
                    .ToListAsync(cancellationToken);
            }

            foreach (var candidate in page)
            {
                cursor = candidate.CreatedAt;
                foreach (var kind in (StoredFileKind[])[StoredFileKind.Video, StoredFileKind.Thumbnail])
                {
                    var video = await LoadAsync(candidate.Id, cancellationToken);
                    var file = video?.FileOf(kind);
                    if (video is not { Status: VideoStatus.Ready } || file is null || file.Provider == primary)
                    {
                        continue;
                    }

                    if (budget == 0)
                    {
                        return Summarise(report, results, moreToDo: true);
                    }

                    if (!maintenance.Primary.AcceptsWork)
                    {
                        return Summarise(report, results, moreToDo: true) with { Outcome = MaintenanceOutcomes.PrimaryUnavailable };
                    }

                    var skip = file.Missing ? "the file is missing on its provider"
                        : video.Cleanups.Any(c => c.Provider == primary && c.State != CleanupState.Done) ? $"a removal on {primary} is still pending"
                        : null;
                    if (skip is not null)
                    {
                        results.Add(new RebalanceFileResult(video.Id, StorageKey.FileName(kind), file.Provider, primary, RebalanceFileOutcomes.Skipped, skip));
                        continue;
                    }

                    budget--;
                    results.Add(await MoveAsync(video, file, primary, cancellationToken));
                }
            }

            if (page.Count < PageSize)
            {
                return Summarise(report, results, moreToDo: false);
            }
        }
    }

    /// <summary>One file: copy, verify against the catalog, record the move and the old copy's removal together.</summary>
    private async Task<RebalanceFileResult> MoveAsync(VideoDetails video, VideoFileDetails file, string primary, CancellationToken cancellationToken)
    {
        RebalanceFileResult Result(string outcome, string? detail) => new(video.Id, StorageKey.FileName(file.File), file.Provider, primary, outcome, detail);

        StoreOutcome outcome;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeSpan.FromMinutes(options.Value.CopyTimeoutMinutes));
            try
            {
                // MaxBytes is the catalog's size: a longer source stops at once and leaves nothing behind.
                var request = new StoreFileRequest(file.File, StorageKey.ForMove(video.Id, file.File, Guid.CreateVersion7()), file.ContentType, file.Bytes);
                outcome = await maintenance.CopyToPrimaryAsync(file.ToStoredFile(), request, timeout.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcome = new StoreOutcome.Aborted(e, []);
            }
        }

        if (outcome is not StoreOutcome.Stored { File: var copy })
        {
            var detail = Describe(outcome);
            LogMoveFailed(logger, (outcome as StoreOutcome.Aborted)?.Cause, video.Id, file.Provider, primary, detail);
            return Result(RebalanceFileOutcomes.Failed, detail);
        }

        if (copy.Bytes != file.Bytes || !string.Equals(copy.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            await DeleteQuietlyAsync(copy, video.Id);
            var detail = $"the copy ({copy.Bytes} bytes) does not match the catalog's size and SHA-256 ({file.Bytes} bytes): the source differs";
            LogMoveFailed(logger, null, video.Id, file.Provider, primary, detail);
            return Result(RebalanceFileOutcomes.Failed, detail);
        }

        // Expected version: a delete (or another move) meanwhile wins, and this copy is dropped.
        if (!await store.TryAppendAsync(video.Id, video.Version, Decide.Move(file, copy, "returned to the primary provider", clock.GetUtcNow()), cancellationToken))
        {
            await DeleteQuietlyAsync(copy, video.Id);
            return Result(RebalanceFileOutcomes.Skipped, "the video changed while its file was being copied");
        }

        return Result(RebalanceFileOutcomes.Moved, null);
    }

    private async Task<VideoDetails?> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var query = store.QuerySession();
        return await query.LoadAsync<VideoDetails>(id, cancellationToken);
    }

    private async Task DeleteQuietlyAsync(StoredFile file, Guid videoId)
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await storage.DeleteAsync(file, budget.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Unclaimed: reconciliation removes it after its grace period.
            LogCopyLeftBehind(logger, e, file.Provider, file.Locator, videoId);
        }
    }

    private static RebalanceReport Summarise(RebalanceReport report, List<RebalanceFileResult> results, bool moreToDo) => report with
    {
        Moved = results.Count(r => r.Outcome == RebalanceFileOutcomes.Moved),
        Failed = results.Count(r => r.Outcome == RebalanceFileOutcomes.Failed),
        Skipped = results.Count(r => r.Outcome == RebalanceFileOutcomes.Skipped),
        MoreToDo = moreToDo,
        Files = results,
    };

    /// <summary>Why a copy did not store: storage's own errors are written to be shown; anything else only by its type.</summary>
    private static string Describe(StoreOutcome outcome) => outcome switch
    {
        StoreOutcome.AllFailed failed => failed.Describe(),
        StoreOutcome.TooLarge => "the source holds more bytes than the catalog records",
        StoreOutcome.Aborted { Cause: OperationCanceledException } => "the copy timed out",
        StoreOutcome.Aborted { Cause: var e } when e.GetType().Namespace?.StartsWith("Stremora.", StringComparison.Ordinal) == true => e.Message,
        StoreOutcome.Aborted { Cause: var e } => $"unexpected {e.GetType().Name}",
        _ => "not stored",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Return to primary: {Outcome}; {Moved} moved, {Failed} failed, {Skipped} skipped, more to do: {MoreToDo}")]
    private static partial void LogRun(ILogger logger, string outcome, int moved, int failed, int skipped, bool moreToDo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not move a file of video {VideoId} from {From} to {To}: {Detail}; it stays where it is")]
    private static partial void LogMoveFailed(ILogger logger, Exception? exception, Guid videoId, string from, string to, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the unused copy {Provider} {Locator} of video {VideoId}; reconciliation will")]
    private static partial void LogCopyLeftBehind(ILogger logger, Exception exception, string provider, string locator, Guid videoId);
}
