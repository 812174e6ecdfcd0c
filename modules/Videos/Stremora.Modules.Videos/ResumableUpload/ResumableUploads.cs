using System.Security.Claims;
using Hangfire;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Media;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// What every route and job of resumable uploads does with one: load it with its video, refuse a caller who may
/// not touch it, store it through the failover chain (while its bytes arrive, or once they are all in), and end one
/// that will not complete. A store holds the upload's storing lock; chunks and ending run under its writer lock, taken by the caller.
/// </summary>
internal sealed partial class ResumableUploads(
    IDocumentStore store,
    IVideoStorage storage,
    MediaAnalysis media,
    StagedFiles staging,
    Forwarders forwarders,
    NpgsqlDataSource database,
    IBackgroundJobClient jobs,
    IOptions<ResumableUploadOptions> options,
    IOptions<UploadOptions> limits,
    TimeProvider clock,
    ILogger<ResumableUploads> logger)
{
    public const string NotAVideo = "not a video: its first bytes are no video format this service accepts";

    /// <summary>The longest the last chunk waits for its upload's forwarder (its 204 then says "storing"; the durable retry goes on).</summary>
    private static readonly TimeSpan ForwarderWait = TimeSpan.FromMinutes(10);

    /// <summary>The longest a termination waits for a forwarder to abort and clear its provider's partial upload.</summary>
    private static readonly TimeSpan ForwarderStopWait = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan StoringLockPoll = TimeSpan.FromMilliseconds(250);

    public async Task<(VideoDetails? Video, ResumableUpload? Upload)> LoadAsync(Guid id, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var video = await query.LoadAsync<VideoDetails>(id, ct);
        var upload = video is { Resumable: true } ? await query.LoadAsync<ResumableUpload>(id, ct) : null;
        return (video, upload);
    }

    /// <summary>404 for an upload that is not the caller's (or an admin's), 410 for one that ended or expired; null when the caller may go on.</summary>
    public ProblemHttpResult? Refuse(Guid id, VideoDetails? video, ResumableUpload? upload, ClaimsPrincipal user)
    {
        if (video is not { Resumable: true } || !video.MayBeChangedBy(user))
        {
            return Tus.NotFound(id);
        }

        if (video.Status is VideoStatus.Failed or VideoStatus.Deleted || upload is null)
        {
            return Tus.Gone(id, video.FailureReason is { } reason ? $"ended ({reason})" : "was deleted");
        }

        return !upload.IsComplete && upload.ExpiresAt <= clock.GetUtcNow() ? Tus.Gone(id, "expired") : null;
    }

    /// <summary>The next try at storing a completed upload, scheduled before the current one runs: a crash anywhere leaves one behind.</summary>
    public void ScheduleStoring(Guid id, int attempt)
    {
        if (attempt <= options.Value.MaxStoreAttempts)
        {
            jobs.Schedule<StoreCompletedUploadJob>(j => j.RunAsync(id, attempt, CancellationToken.None), options.Value.StoreRetryDelay(attempt - 1));
        }
    }

    /// <summary>
    /// The last chunk's storing, once it is recorded ("storing"): a forwarder that has been storing the bytes while they
    /// arrived (here, or on another instance: it holds the storing lock) is waited for; when none runs, or it did not
    /// store the upload, the staged file is stored now. Bounded: past the wait the durable retry carries on.
    /// </summary>
    public async Task CompleteAsync(Guid id, CancellationToken ct)
    {
        forwarders.Signal(id);
        var deadline = clock.GetUtcNow() + ForwarderWait;
        try
        {
            while (true)
            {
                if (forwarders.Running(id) is { } local)
                {
                    await local.WaitAsync(Until(deadline), clock, ct);
                    continue;
                }

                if (await StoreAsync(id, attempt: 1, ct) || clock.GetUtcNow() >= deadline)
                {
                    return;
                }

                await Task.Delay(StoringLockPoll, clock, ct);
            }
        }
        catch (TimeoutException)
        {
            // Still storing: the client is told its offset, not "ready"; the scheduled retry finds the upload done or stores it.
        }
    }

    /// <summary>
    /// Stores the staged bytes of a completed upload ("storing") as the multipart route stores a video: sniffed type,
    /// the same key, the failover chain; then "ready". Every provider failing is recorded and left for the next
    /// try, or after the last one ends the upload as failed. Does nothing for an upload that is not "storing".
    /// </summary>
    /// <returns>False when someone else holds the upload's storing lock (its forwarder): nothing was tried.</returns>
    public async Task<bool> StoreAsync(Guid id, int attempt, CancellationToken ct)
    {
        await using var storing = await AdvisoryLock.TryAcquireAsync(database, ResumableUpload.StoringLockKey(id), ct);
        if (storing is null)
        {
            return false;
        }

        var (video, upload) = await LoadAsync(id, ct);
        if (video is not { Status: VideoStatus.Storing } || upload is null)
        {
            return true;
        }

        if (await SniffAsync(id, ct) is not { } contentType)
        {
            await FailAsync(video, NotAVideo, [], ct);
            return true;
        }

        await using var source = OpenStaged(id, upload.Length);
        await StoreFromAsync(video, contentType, source, attempt, ct);
        return true;
    }

    /// <summary>
    /// The forwarder's work: stores the upload through the failover chain while its chunks still arrive, from a
    /// stream that tails the staged file (<see cref="StagedUploadStream"/>), under the storing lock. Nothing when
    /// another instance holds that lock (it forwards or stores the upload) or the upload is no longer taking bytes.
    /// </summary>
    public async Task ForwardAsync(Guid id, CancellationToken ct)
    {
        await using var storing = await AdvisoryLock.TryAcquireAsync(database, ResumableUpload.StoringLockKey(id), ct);
        if (storing is null)
        {
            return;
        }

        var (video, upload) = await LoadAsync(id, ct);
        if (video is not { Status: VideoStatus.Uploading or VideoStatus.Storing } || upload is null || await SniffAsync(id, ct) is not { } contentType)
        {
            return;
        }

        await using var source = OpenStaged(id, upload.Length);
        await StoreFromAsync(video, contentType, source, attempt: 0, ct);
    }

    /// <summary>The staged bytes as storage reads them, whether they are all in or still arriving: up to the recorded offset, waiting for the next chunk.</summary>
    private StagedUploadStream OpenStaged(Guid id, long length) =>
        new(staging.PathOf(id), id, length, ct => RecordedOffsetAsync(id, ct), forwarders, TimeSpan.FromSeconds(options.Value.ForwardIdleSeconds), clock);

    /// <summary>
    /// An ended upload's forwarder sees the end at its next look and aborts, leaving nothing on any provider: waits
    /// (bounded) until it has, whether it runs here or on another instance.
    /// </summary>
    public async Task AwaitForwarderStoppedAsync(Guid id, CancellationToken ct)
    {
        forwarders.Signal(id);
        var deadline = clock.GetUtcNow() + ForwarderStopWait;
        try
        {
            if (forwarders.Running(id) is { } local)
            {
                await local.WaitAsync(Until(deadline), clock, ct);
            }

            while (clock.GetUtcNow() < deadline && await AdvisoryLock.IsHeldAsync(database, ResumableUpload.StoringLockKey(id), ct))
            {
                await Task.Delay(StoringLockPoll, clock, ct);
            }
        }
        catch (TimeoutException)
        {
            // It stops anyway once it looks; a provider's partial upload then expires or is swept.
        }
    }

    /// <summary>
    /// One store of an upload's bytes (<paramref name="attempt"/> 0: by its forwarder, while they arrived) and what
    /// its outcome records: stored → "ready"; refused by media analysis → failed; every provider failing → the
    /// attempts, or failed after the last try; an abort (the upload ended, no chunk came) is no provider's failure.
    /// </summary>
    private async Task StoreFromAsync(VideoDetails video, string contentType, Stream source, int attempt, CancellationToken ct)
    {
        var id = video.Id;

        // Analysed on the spooled file like a multipart upload; no thumbnail comes with a resumable upload.
        using var inspection = media.Begin(contentType, wantsPoster: () => true);
        var request = new StoreFileRequest(StoredFileKind.Video, StorageKey.ForFile(id, StoredFileKind.Video), contentType, limits.Value.MaxVideoBytes, inspection is null ? null : inspection.InspectAsync);
        var outcome = await storage.StoreAsync(request, source, ct);
        switch (outcome)
        {
            case StoreOutcome.Stored stored:
                await RecordStoredAsync(id, stored, inspection, ct);
                return;
            case StoreOutcome.Refused refused:
                await FailAsync(await LatestAsync(video, ct), $"not a decodable video: {refused.Reason}", [], ct);
                return;
            case StoreOutcome.AllFailed failed when attempt >= options.Value.MaxStoreAttempts:
                await FailAsync(await LatestAsync(video, ct), $"every storage provider failed {attempt} times: {failed.Describe()}", failed.Attempts, ct);
                return;
            case StoreOutcome.Aborted aborted:
                LogStoreAborted(logger, aborted.Cause, id, attempt);
                return;
            default:
                LogStoreFailed(logger, id, attempt, outcome.GetType().Name);
                await store.TryAppendAsync(id, (await LatestAsync(video, ct)).Version, [.. outcome.Attempts.Select(StorageAttemptFailed.For)], ct);
                return;
        }
    }

    /// <summary>"ready", at the version the video has now, while it is still "storing"; else the new files go through the outbox.</summary>
    private async Task RecordStoredAsync(Guid id, StoreOutcome.Stored stored, MediaInspection? inspection, CancellationToken ct)
    {
        var poster = inspection is null ? new PosterResult(null, []) : await inspection.StorePosterAsync(storage, id, limits.Value.MaxThumbnailBytes, ct);
        var (video, _) = await LoadAsync(id, ct);
        if (video is { Status: VideoStatus.Storing }
            && await store.TryAppendAsync(id, video.Version, [.. Decide.Stored(stored), .. inspection?.AnalysisEvents() ?? [], .. poster.Events, new VideoReady(video.Title, video.Description, clock.GetUtcNow())], ct))
        {
            staging.Delete(id);
            return;
        }

        // The upload ended while it was being stored (its owner deleted it).
        foreach (var file in new[] { stored.File, poster.File }.OfType<StoredFile>())
        {
            await store.AppendToLatestAsync(id, StoredFileCleanupScheduled.For(file, "the upload ended while it was being stored"), ct);
        }
    }

    /// <summary>The offset a forwarder may read up to; null once the upload ended (terminated, failed, expired).</summary>
    private async Task<long?> RecordedOffsetAsync(Guid id, CancellationToken ct)
    {
        var (video, upload) = await LoadAsync(id, ct);
        return video is { Status: VideoStatus.Uploading or VideoStatus.Storing } && upload is not null && (upload.IsComplete || upload.ExpiresAt > clock.GetUtcNow())
            ? upload.Offset
            : null;
    }

    private async Task<string?> SniffAsync(Guid id, CancellationToken ct) => ContentSniffer.SniffVideo(await staging.HeadAsync(id, ContentSniffer.PrefixLength, ct));

    private async Task<VideoDetails> LatestAsync(VideoDetails video, CancellationToken ct) => (await LoadAsync(video.Id, ct)).Video ?? video;

    private TimeSpan Until(DateTimeOffset deadline) => deadline - clock.GetUtcNow() is { Ticks: > 0 } left ? left : TimeSpan.Zero;

    /// <summary>Ends an upload that will not complete: "failed" with the reason, its protocol state and staged bytes gone.</summary>
    public async Task<bool> FailAsync(VideoDetails video, string reason, IReadOnlyList<StorageAttempt> attempts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(video);
        await using var session = store.LightweightSession();
        session.Delete<ResumableUpload>(video.Id);
        if (!await session.TryAppendAsync(video.Id, video.Version, Decide.FailUpload(attempts, reason, [], clock.GetUtcNow()), ct))
        {
            return false;
        }

        staging.Delete(video.Id);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing upload {VideoId} failed (attempt {Attempt}, 0 while its bytes arrived: {Outcome}); it is retried")]
    private static partial void LogStoreFailed(ILogger logger, Guid videoId, int attempt, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storing upload {VideoId} stopped (attempt {Attempt}, 0 while its bytes arrived) before it was stored; nothing was kept")]
    private static partial void LogStoreAborted(ILogger logger, Exception cause, Guid videoId, int attempt);
}
