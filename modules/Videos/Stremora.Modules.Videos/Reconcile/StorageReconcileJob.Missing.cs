using System.ComponentModel;
using Hangfire.Server;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.StorageMaintenance;

namespace Stremora.Modules.Videos.Reconcile;
/// <summary>The half of reconciliation that looks for files the catalog plays from and a provider no longer holds.</summary>
internal sealed partial class StorageReconcileJob
{
    /// <summary>
    /// Ready videos whose file on this provider was not listed; each is probed once more before it is marked.
    /// A file marked missing that is there again is unmarked. Either mark is appended once: a file already
    /// in that state gets nothing.
    /// </summary>
    private async Task FindMissingAsync(Run run, Tally tally, HashSet<string> listed, CancellationToken cancellationToken)
    {
        var provider = tally.Provider;
        var cursor = DateTimeOffset.MinValue;
        while (true)
        {
            IReadOnlyList<VideoDetails> page;
            await using (var query = store.QuerySession())
            {
                page = await query.Query<VideoDetails>()
                    .Where(v => v.Status == VideoStatus.Ready && v.CreatedAt > cursor)
                    .Where(v => v.Video!.Provider == provider || (v.Thumbnail != null && v.Thumbnail.Provider == provider))
                    .OrderBy(v => v.CreatedAt)
                    .Take(BatchSize)
                    .ToListAsync(cancellationToken);
            }

            foreach (var video in page)
            {
                cursor = video.CreatedAt;
                // Video and thumbnail may both change state in one run: the second append expects the first.
                var version = video.Version;
                foreach (var file in new[] { video.Video, video.Thumbnail }.OfType<VideoFileDetails>().Where(f => f.Provider == provider))
                {
                    // Stored after the listing began, or still there when asked directly: not missing.
                    if (listed.Contains(file.Locator) || await maintenance.ExistsAsync(file.ToStoredFile(), cancellationToken))
                    {
                        if (Decide.Found(file, clock.GetUtcNow()) is { } found && await store.TryAppendAsync(video.Id, version, [found], cancellationToken))
                        {
                            version++;
                            tally.FoundAgain++;
                            run.Found.Add(new FoundFile(video.Id, StorageKey.FileName(file.File), provider, file.Locator));
                            LogFoundAgain(logger, video.Id, provider, file.Locator);
                        }

                        continue;
                    }

                    tally.Missing++;
                    run.Missing.Add(new MissingFile(video.Id, StorageKey.FileName(file.File), provider, file.Locator));
                    LogMissing(logger, video.Id, provider, file.Locator);
                    // Expected version: if the video moved or was deleted meanwhile, the finding is stale and the next run looks again.
                    if (Decide.Missing(file, clock.GetUtcNow()) is { } missing && await store.TryAppendAsync(video.Id, version, [missing], cancellationToken))
                    {
                        version++;
                        tally.NewlyMissing++;
                    }
                }
            }

            if (page.Count < BatchSize)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The same for the files other modules serve (images, ...): a file not listed, and not there when asked directly,
    /// is reported missing and its module records the finding; one marked missing that is there again is unmarked.
    /// </summary>
    private async Task FindOthersMissingAsync(Run run, Tally tally, HashSet<string> listed, CancellationToken cancellationToken)
    {
        foreach (var claims in otherClaims)
        {
            await foreach (var served in claims.ServedAsync(tally.Provider, cancellationToken))
            {
                var file = served.File;
                if (listed.Contains(file.Locator) || await maintenance.ExistsAsync(file, cancellationToken))
                {
                    if (served.MarkedMissing && await claims.RecordFindingAsync(served, missing: false, cancellationToken))
                    {
                        tally.FoundAgain++;
                        run.Found.Add(new FoundFile(served.Id, served.Name, tally.Provider, file.Locator));
                        LogServedFoundAgain(logger, served.Name, served.Id, tally.Provider, file.Locator);
                    }

                    continue;
                }

                tally.Missing++;
                run.Missing.Add(new MissingFile(served.Id, served.Name, tally.Provider, file.Locator));
                LogServedMissing(logger, served.Name, served.Id, tally.Provider, file.Locator);
                if (!served.MarkedMissing && await claims.RecordFindingAsync(served, missing: true, cancellationToken))
                {
                    tally.NewlyMissing++;
                }
            }
        }
    }
}
