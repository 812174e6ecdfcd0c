using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// The optional <c>Idempotency-Key</c>: the same key and content from the same user returns the same video
/// instead of a second upload. The key is kept only as a hash of user + key (<see cref="UploadIdempotencyKey"/>).
/// </summary>
internal static class UploadIdempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 255;

    /// <returns>False (with the problem to answer) when the header is present but empty or too long.</returns>
    public static bool TryReadKeyHash(HttpRequest request, string ownerId, out string? keyHash, out ProblemHttpResult? invalid)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.Headers[Header].ToString();
        keyHash = null;
        invalid = null;
        if (request.Headers.ContainsKey(Header) && (key.Length is 0 or > MaxKeyLength))
        {
            invalid = UploadProblems.Problem(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key", $"The {Header} header must be 1 to {MaxKeyLength} characters.");
            return false;
        }

        if (key.Length > 0)
        {
            keyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ownerId + "\n" + key)));
        }

        return true;
    }

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
        var claim = await session.LoadAsync<UploadIdempotencyKey>(upload.IdempotencyKeyHash!, ct);
        var previous = claim is null ? null : await session.LoadAsync<VideoDetails>(claim.VideoId, ct);
        upload.PreviousKeyHolder = claim?.VideoId;
        switch (previous?.Status)
        {
            case VideoStatus.Uploading when await UploadLiveness.IsAliveAsync(database, previous.Id, ct)
                || !await store.TryAppendAsync(previous.Id, previous.Version, Decide.Died(previous, clock.GetUtcNow()), ct):
                return UploadProblems.Problem(StatusCodes.Status409Conflict, "Upload in progress", $"An upload with this {Header} is still in progress; retry when it has finished.");
            case VideoStatus.Ready:
                var (videoSha, thumbnailSha) = await form.HashFilesAsync(ct);
                if (!string.Equals(videoSha, previous.Video?.Sha256, StringComparison.Ordinal) || !string.Equals(thumbnailSha, previous.Thumbnail?.Sha256, StringComparison.Ordinal))
                {
                    return UploadProblems.Problem(StatusCodes.Status409Conflict, "Idempotency-Key reused", $"This {Header} was already used for an upload with different content; use a new key for a new upload.");
                }

                response.Headers[ReplayedHeader] = "true";
                VideoETag.Set(response, previous);
                return TypedResults.Created(VideoResponse.Location(previous.Id), await VideoResponse.FromAsync(previous, storage, ct));
            default:
                return null;
        }
    }
}
