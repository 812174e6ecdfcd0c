using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// The optional <c>Idempotency-Key</c> of an upload: the same key and content from the same user returns the same
/// video instead of a second upload. The key is kept only as a hash of user + key (<see cref="IdempotencyKey"/>).
/// </summary>
internal static class UploadIdempotency
{
    /// <summary>
    /// A key already used by this user: a ready video means "replay" (same content: the same video back;
    /// different content: 409); an upload still running is a 409; a failed or deleted one frees the key, and so does
    /// one whose process died (recorded failed here, as the sweep would, hours earlier).
    /// </summary>
    /// <returns>The answer for a replay or a conflict; null when this upload goes ahead.</returns>
    public static async Task<Results<Created<VideoResponse>, ProblemHttpResult>?> CheckAsync(
        IDocumentStore store,
        NpgsqlDataSource database,
        IVideoStorage storage,
        TimeProvider clock,
        UploadStream upload,
        UploadForm form,
        HttpResponse response,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(response);
        await using var session = store.QuerySession();
        var claim = await session.LoadAsync<IdempotencyKey>(upload.IdempotencyKeyHash!, ct);
        if (claim?.Request is not null)
        {
            return UploadProblems.Problem(StatusCodes.Status409Conflict, "Idempotency-Key reused", $"This {IdempotencyKey.Header} was already used for another kind of request; use a new key for a new upload.");
        }

        var previous = claim is null ? null : await session.LoadAsync<VideoDetails>(claim.VideoId, ct);
        upload.PreviousKeyHolder = claim?.VideoId;
        switch (previous?.Status)
        {
            case VideoStatus.Uploading when await IdempotencyLiveness.IsAliveAsync(database, previous.Id, ct)
                || !await store.TryAppendAsync(previous.Id, previous.Version, Decide.Died(previous, clock.GetUtcNow()), ct):
                return UploadProblems.Problem(StatusCodes.Status409Conflict, "Upload in progress", $"An upload with this {IdempotencyKey.Header} is still in progress; retry when it has finished.");
            case VideoStatus.Ready:
                var (videoSha, thumbnailSha) = await form.HashFilesAsync(ct);
                if (!string.Equals(videoSha, previous.Video?.Sha256, StringComparison.Ordinal) || !string.Equals(thumbnailSha, previous.Thumbnail?.Sha256, StringComparison.Ordinal))
                {
                    return UploadProblems.Problem(StatusCodes.Status409Conflict, "Idempotency-Key reused", $"This {IdempotencyKey.Header} was already used for an upload with different content; use a new key for a new upload.");
                }

                response.Headers[IdempotencyKey.ReplayedHeader] = "true";
                VideoETag.Set(response, previous);
                return TypedResults.Created(VideoResponse.Location(previous.Id), await VideoResponse.FromAsync(previous, storage, ct));
            default:
                return null;
        }
    }
}
