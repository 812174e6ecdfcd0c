using System.Security.Claims;
using Hangfire;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Media;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// What every route and job of resumable uploads does with one: load it with its video, refuse a caller who may
/// not touch it, store a completed one through the failover chain, and end one that will not complete.
/// Storing and ending run under the upload's advisory lock, taken by the caller.
/// </summary>
internal sealed partial class ResumableUploads(
    IDocumentStore store,
    IVideoStorage storage,
    MediaAnalysis media,
    StagedFiles staging,
    IBackgroundJobClient jobs,
    IOptions<ResumableUploadOptions> options,
    IOptions<UploadOptions> limits,
    TimeProvider clock,
    ILogger<ResumableUploads> logger)
{
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
    /// Stores the staged bytes of a completed upload ("storing") as the multipart route stores a video: sniffed type,
    /// the same key, the failover chain; then "ready". Every provider failing is recorded and left for the next
    /// try, or after the last one ends the upload as failed. Does nothing for an upload that is not "storing".
    /// </summary>
    public async Task StoreAsync(Guid id, int attempt, CancellationToken ct)
    {
        var (video, _) = await LoadAsync(id, ct);
        if (video is not { Status: VideoStatus.Storing })
        {
            return;
        }

        var head = await staging.HeadAsync(id, ContentSniffer.PrefixLength, ct);
        if (ContentSniffer.SniffVideo(head) is not { } contentType)
        {
            await FailAsync(video, "not a video: its first bytes are no video format this service accepts", [], ct);
            return;
        }

        // Analysed on the staged file like a multipart upload on its spool; no thumbnail comes with a resumable upload.
        using var inspection = media.Begin(contentType, wantsPoster: () => true);
        StoreOutcome outcome;
        await using (var file = staging.OpenRead(id))
        {
            var request = new StoreFileRequest(StoredFileKind.Video, StorageKey.ForFile(id, StoredFileKind.Video), contentType, limits.Value.MaxVideoBytes, inspection is null ? null : inspection.InspectAsync);
            outcome = await storage.StoreAsync(request, file, ct);
        }

        switch (outcome)
        {
            case StoreOutcome.Stored stored:
                var poster = inspection is null ? new PosterResult(null, []) : await inspection.StorePosterAsync(storage, id, limits.Value.MaxThumbnailBytes, ct);
                if (await store.TryAppendAsync(id, video.Version, [.. Decide.Stored(stored), .. inspection?.AnalysisEvents() ?? [], .. poster.Events, new VideoReady(video.Title, video.Description, clock.GetUtcNow())], ct))
                {
                    staging.Delete(id);
                    return;
                }

                // The upload ended while it was being stored (its owner deleted it): the new files go through the outbox.
                foreach (var file in new[] { stored.File, poster.File }.OfType<StoredFile>())
                {
                    await store.AppendToLatestAsync(id, StoredFileCleanupScheduled.For(file, "the upload ended while it was being stored"), ct);
                }

                return;
            case StoreOutcome.Refused refused:
                await FailAsync(video, $"not a decodable video: {refused.Reason}", [], ct);
                return;
            case StoreOutcome.AllFailed failed when attempt >= options.Value.MaxStoreAttempts:
                await FailAsync(video, $"every storage provider failed {attempt} times: {failed.Describe()}", failed.Attempts, ct);
                return;
            default:
                LogStoreFailed(logger, id, attempt, outcome.GetType().Name);
                await store.TryAppendAsync(id, video.Version, [.. outcome.Attempts.Select(StorageAttemptFailed.For)], ct);
                return;
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing completed upload {VideoId} failed (attempt {Attempt}: {Outcome}); it is retried")]
    private static partial void LogStoreFailed(ILogger logger, Guid videoId, int attempt, string outcome);
}
