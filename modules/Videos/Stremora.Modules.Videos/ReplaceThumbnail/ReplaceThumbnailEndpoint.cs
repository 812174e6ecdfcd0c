using System.Runtime.ExceptionServices;
using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Npgsql;
using Stremora.Modules.Storage.Contracts;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.ReplaceThumbnail;

/// <summary>
/// Replaces a video's thumbnail: the new image is streamed through the failover chain under a key of its own, then
/// recorded on the video's stream together with the old file's removal (the cleanup outbox), so the old one goes only
/// once the new one is stored and recorded. A replacement that is not recorded (every provider failed, or it lost
/// to a concurrent change) leaves the old thumbnail serving and removes its own new file. With an Idempotency-Key,
/// a retry of a recorded replacement gets its answer again instead of storing a second image (<see cref="ThumbnailIdempotency"/>).
/// </summary>
internal sealed partial class ReplaceThumbnailEndpoint(
    IDocumentStore store,
    IVideoStorage storage,
    NpgsqlDataSource database,
    IOptions<UploadOptions> options,
    TimeProvider clock,
    ILogger<ReplaceThumbnailEndpoint> logger)
    : EndpointWithoutRequest<Results<Ok<VideoResponse>, ProblemHttpResult>>
{
    // Without If-Match a concurrent change is not the client's concern: decide again from the new version.
    private const int MaxTries = 3;
    private static readonly TimeSpan DiscardBudget = TimeSpan.FromSeconds(30);

    public override void Configure()
    {
        Put("/api/videos/{id:guid}/thumbnail");
        Policies(StremoraPolicies.SignedInUser);
        AllowFileUploads(dontAutoBindFormData: true);
        Description(d => d
            .WithTags("Videos")
            .MultipartForm(
                new Dictionary<string, IOpenApiSchema>
                {
                    [ThumbnailForm.PartName] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "JPEG, PNG or WebP (sniffed from the bytes), at most Upload:MaxThumbnailBytes." },
                },
                ThumbnailForm.PartName)
            .HeaderParameter("If-Match", "The ETag of the version the replacement was decided from; 412 when the video has changed since (a replayed Idempotency-Key answers as the first request did).")
            .HeaderParameter(IdempotencyKey.Header, "Optional, scoped to the signed-in user. A retry with the same key and the same image gets the first answer again (same status and body, header Idempotent-Replayed: true) and stores nothing; the same key with another image or video is 409.")
            .Problem(StatusCodes.Status400BadRequest, "No 'thumbnail' part, an empty one, more than one, a malformed form, or an Idempotency-Key that is empty or longer than 255 characters.")
            .Problem(StatusCodes.Status401Unauthorized, "Not signed in.")
            .Problem(StatusCodes.Status403Forbidden, "Neither the owner nor an admin.")
            .Problem(StatusCodes.Status404NotFound, "No ready video with this id.")
            .Problem(StatusCodes.Status409Conflict, "The video kept changing concurrently; or the Idempotency-Key was used for another request, or its replacement is still running.")
            .Problem(StatusCodes.Status412PreconditionFailed, "If-Match names an older version; nothing changed.")
            .Problem(StatusCodes.Status413PayloadTooLarge, "Larger than Upload:MaxThumbnailBytes.")
            .Problem(StatusCodes.Status415UnsupportedMediaType, "Not multipart/form-data, or the part's bytes are not a JPEG, PNG or WebP image.")
            .Problem(StatusCodes.Status503ServiceUnavailable, "Every storage provider failed; the problem lists each attempt and the old thumbnail stays."));
        Summary(s =>
        {
            s.Summary = "Owner or admin: replace the thumbnail (multipart/form-data, one part 'thumbnail').";
            s.Description = "The new image is stored through the failover chain first; the old one is removed by a background job only once the new one is recorded.";
        });
    }

    public override async Task<Results<Ok<VideoResponse>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var limits = options.Value;
        var maxRequestBytes = limits.MaxThumbnailBytes + UploadOptions.FormOverheadBytes;
        if (HttpContext.Request.ContentLength > maxRequestBytes)
        {
            return TooLarge($"The request is {HttpContext.Request.ContentLength} bytes; a thumbnail replacement may be at most {maxRequestBytes} bytes (thumbnail {limits.MaxThumbnailBytes}, plus the form).");
        }

        var userId = User.UserId() ?? throw new InvalidOperationException("The signed-in-user policy admitted a principal without a sub claim.");
        if (!IdempotencyKey.TryReadHash(HttpContext.Request, userId, out var keyHash, out var invalidKey))
        {
            return invalidKey!;
        }

        // Refused before a byte is stored (If-Match below, once a replay is ruled out); checked again when the replacement is recorded.
        VideoDetails? current;
        await using (var query = store.QuerySession())
        {
            current = await query.LoadAsync<VideoDetails>(id, ct);
        }

        if (VideoProblems.RefusesCaller(HttpContext, id, current, out var refusedCaller))
        {
            return refusedCaller;
        }

        if (ThumbnailForm.Open(HttpContext, maxRequestBytes) is not { } form)
        {
            return NotAForm();
        }

        await using var idempotency = keyHash is null ? null : new ThumbnailIdempotency(store, database, keyHash, id);
        StoreOutcome.Stored? stored = null;
        var recorded = false;
        try
        {
            switch (idempotency is null ? null : await idempotency.ClaimAsync(ct))
            {
                case ThumbnailClaim.Refused refusedKey:
                    return refusedKey.Problem;
                case ThumbnailClaim.Replay replay:
                    // Before If-Match: a retry carries the first request's, which that request's own change made stale.
                    return await idempotency!.ReplayAsync(storage, form, HttpContext.Response, replay.Version, ct);
            }

            if (VideoProblems.RefusesChange(HttpContext, id, current, out var refused))
            {
                return refused;
            }

            var outcome = await form.ReadAsync(
                async body =>
                {
                    var outcome = await StoreAsync(id, idempotency?.ReplacementId ?? Guid.CreateVersion7(), body, limits.MaxThumbnailBytes, ct);
                    stored = outcome as StoreOutcome.Stored;
                    return outcome;
                },
                ct);
            switch (outcome)
            {
                case null:
                    return ThumbnailForm.Problem(StatusCodes.Status400BadRequest, "No thumbnail", $"Send the new thumbnail as a file part named '{ThumbnailForm.PartName}'.");
                case StoreOutcome.AllFailed failed:
                    return VideoProblems.StorageUnavailable("the thumbnail", failed.Attempts);
                case StoreOutcome.TooLarge tooLarge:
                    return TooLarge(tooLarge.Message);
                case StoreOutcome.Aborted aborted:
                    ExceptionDispatchInfo.Throw(aborted.Cause);
                    break;
            }

            for (var attempt = 1; ; attempt++)
            {
                await using var session = store.LightweightSession();
                var video = await session.LoadAsync<VideoDetails>(id, ct);
                if (VideoProblems.RefusesChange(HttpContext, id, video, out var refusedNow))
                {
                    return refusedNow;
                }

                var events = Decide.ReplaceThumbnail(video, stored!.File, stored.Attempts, userId, clock.GetUtcNow());
                // The key is done in the same transaction as the replacement: no retry can find one without the other.
                var version = video.Version + events.Count;
                idempotency?.Record(session, version);
                if (await session.TryAppendAsync(id, video.Version, events, ct))
                {
                    recorded = true;
                    // The video as this replacement left it, not whatever was appended since: what a retry with its key replays.
                    await using var fresh = store.QuerySession();
                    var replaced = await fresh.Events.AggregateStreamAsync<VideoDetails>(id, version, token: ct)
                        ?? throw new InvalidOperationException($"Video {id}'s thumbnail was replaced but its stream has no version {version}.");
                    VideoETag.Set(HttpContext.Response, replaced);
                    return TypedResults.Ok(await VideoResponse.FromAsync(replaced, storage, ct));
                }

                if (attempt == MaxTries)
                {
                    return VideoProblems.KeptChanging(id, "its thumbnail was being replaced");
                }
            }
        }
        catch (ThumbnailRejectedException rejected)
        {
            return rejected.Problem;
        }
        catch (Exception e) when (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return TooLarge($"The request passed the limit of {maxRequestBytes} bytes.");
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException && !ct.IsCancellationRequested)
        {
            return ThumbnailForm.Problem(StatusCodes.Status400BadRequest, "Malformed form", "The multipart/form-data body could not be read: " + e.Message);
        }
        finally
        {
            if (stored is not null && !recorded)
            {
                await DiscardAsync(id, stored.File);
            }

            if (idempotency is not null && !recorded)
            {
                await ReleaseKeyAsync(id, idempotency);
            }
        }
    }

    /// <summary>Sniffs the part's first bytes as the upload does, then streams the whole part through the failover chain.</summary>
    private async Task<StoreOutcome> StoreAsync(Guid id, Guid replacementId, Stream body, long maxBytes, CancellationToken ct)
    {
        var part = await ContentSniffer.ReadAsync(body, StoredFileKind.Thumbnail, ct);
        if (part.IsEmpty)
        {
            throw new ThumbnailRejectedException(ThumbnailForm.Problem(StatusCodes.Status400BadRequest, "Empty thumbnail", $"The '{ThumbnailForm.PartName}' part is empty."));
        }

        if (part.ContentType is not { } contentType)
        {
            var (title, detail) = ContentSniffer.Unsupported(StoredFileKind.Thumbnail);
            throw new ThumbnailRejectedException(ThumbnailForm.Problem(StatusCodes.Status415UnsupportedMediaType, title, detail));
        }

        var key = StorageKey.ForReplacement(id, StoredFileKind.Thumbnail, replacementId);
        return await storage.StoreAsync(new StoreFileRequest(StoredFileKind.Thumbnail, key, contentType, maxBytes), part.Content, ct);
    }

    /// <summary>
    /// A stored replacement that was not recorded serves nothing: removed at once, else through the cleanup outbox,
    /// else (the catalog unreachable too) reconciliation removes it as an orphan. Runs on its own time budget.
    /// </summary>
    private async Task DiscardAsync(Guid id, StoredFile file)
    {
        using var budget = new CancellationTokenSource(DiscardBudget);
        try
        {
            await storage.DeleteAsync(file, budget.Token);
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogDiscardDeferred(logger, e, file.Provider, file.Locator, id);
        }

        try
        {
            await store.AppendToLatestAsync(id, Decide.DiscardReplacement(file), budget.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogDiscardNotScheduled(logger, e, file.Provider, file.Locator, id);
        }
    }

    /// <summary>An unrecorded replacement frees its key for a retry; if that fails, a retry reclaims it once this request's liveness lock is gone.</summary>
    private async Task ReleaseKeyAsync(Guid id, ThumbnailIdempotency idempotency)
    {
        using var budget = new CancellationTokenSource(DiscardBudget);
        try
        {
            await idempotency.ReleaseAsync(budget.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogKeyNotReleased(logger, e, id);
        }
    }

    private static ProblemHttpResult NotAForm() =>
        ThumbnailForm.Problem(StatusCodes.Status415UnsupportedMediaType, "Not a form upload", $"Send the new thumbnail as multipart/form-data with one part named '{ThumbnailForm.PartName}'.");

    private static ProblemHttpResult TooLarge(string detail) =>
        ThumbnailForm.Problem(StatusCodes.Status413PayloadTooLarge, "Thumbnail too large", detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the unrecorded replacement thumbnail {Provider} {Locator} of video {VideoId} at once; a cleanup job will")]
    private static partial void LogDiscardDeferred(ILogger logger, Exception exception, string provider, string locator, Guid videoId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not schedule the removal of the unrecorded replacement thumbnail {Provider} {Locator} of video {VideoId}; reconciliation will remove it as an orphan")]
    private static partial void LogDiscardNotScheduled(ILogger logger, Exception exception, string provider, string locator, Guid videoId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the Idempotency-Key of an unrecorded thumbnail replacement of video {VideoId}; a retry reclaims it")]
    private static partial void LogKeyNotReleased(ILogger logger, Exception exception, Guid videoId);
}
