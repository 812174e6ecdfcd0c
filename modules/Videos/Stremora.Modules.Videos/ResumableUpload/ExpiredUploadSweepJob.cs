using Hangfire;
using Marten;
using Npgsql;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// Recurring: unfinished uploads past their Upload-Expires lose their staged bytes and their video is marked
/// failed. An upload a request holds right now is left for the next run.
/// </summary>
internal sealed class ExpiredUploadSweepJob(IDocumentStore store, ResumableUploads uploads, NpgsqlDataSource database, TimeProvider clock)
{
    public const string RecurringJobId = "videos-sweep-expired-uploads";
    private const int BatchSize = 100;

    /// <returns>How many uploads expired.</returns>
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<ResumableUpload> expired;
        await using (var query = store.QuerySession())
        {
            expired = await query.Query<ResumableUpload>()
                .Where(u => u.ExpiresAt <= now && u.Offset < u.Length)
                .OrderBy(u => u.ExpiresAt)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
        }

        var count = 0;
        foreach (var candidate in expired)
        {
            await using var held = await AdvisoryLock.TryAcquireAsync(database, ResumableUpload.LockKey(candidate.Id), cancellationToken);
            var (video, upload) = await uploads.LoadAsync(candidate.Id, cancellationToken);
            if (held is null || video is not { Status: VideoStatus.Uploading } || upload is null || upload.IsComplete || upload.ExpiresAt > now)
            {
                continue;
            }

            if (await uploads.FailAsync(video, $"expired: no chunk arrived before {Tus.HttpDate(upload.ExpiresAt)}", [], cancellationToken))
            {
                await uploads.AwaitForwarderStoppedAsync(video.Id, cancellationToken);
                count++;
            }
        }

        return count;
    }
}
