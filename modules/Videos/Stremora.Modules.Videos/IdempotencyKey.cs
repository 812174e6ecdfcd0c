using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Stremora.Modules.Videos;

/// <summary>
/// Claims an <c>Idempotency-Key</c> for one user's change: an upload, or a thumbnail replacement. The id is the hash
/// of user + key (the key itself is never kept), so keys are scoped per user and the primary key makes two
/// concurrent requests with the same key collide in the database instead of both storing.
/// </summary>
/// <param name="VideoId">The video the key's request made (an upload) or changed (a replacement).</param>
internal sealed record IdempotencyKey(string Id, Guid VideoId)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary><see cref="Request"/> of a thumbnail replacement's claim.</summary>
    public const string ThumbnailReplacement = "thumbnail";

    private const int MaxKeyLength = 255;

    /// <summary>What the key was used for: null for an upload (claims from before replacements took keys), else <see cref="ThumbnailReplacement"/>.</summary>
    public string? Request { get; init; }

    /// <summary>A replacement's own id, on whose liveness lock its retries see whether it still runs (an upload's is <see cref="VideoId"/>).</summary>
    public Guid? HolderId { get; init; }

    /// <summary>The stream version a replacement recorded, in the same transaction: a retry replays the video as of it.</summary>
    public long? Version { get; init; }

    /// <returns>False (with the problem to answer) when the header is present but empty or too long.</returns>
    public static bool TryReadHash(HttpRequest request, string userId, out string? keyHash, out ProblemHttpResult? invalid)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.Headers[Header].ToString();
        keyHash = null;
        invalid = null;
        if (request.Headers.ContainsKey(Header) && (key.Length is 0 or > MaxKeyLength))
        {
            invalid = TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Idempotency-Key", detail: $"The {Header} header must be 1 to {MaxKeyLength} characters.");
            return false;
        }

        if (key.Length > 0)
        {
            keyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId + "\n" + key)));
        }

        return true;
    }

    /// <summary>An upload that failed or was abandoned frees its key (only if it still holds it) in the same transaction.</summary>
    public static void Release(Marten.IDocumentSession session, string? keyHash, Guid? videoId)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (keyHash is not null && videoId is { } holder)
        {
            session.DeleteWhere<IdempotencyKey>(k => k.Id == keyHash && k.VideoId == holder && k.HolderId == null);
        }
    }

    /// <summary>
    /// A replacement that was not recorded frees its key, only if it still holds it unrecorded: a retry that saw the
    /// claim before its holder recorded it and ended must not remove the recorded answer.
    /// </summary>
    public static void ReleaseHeldBy(Marten.IDocumentSession session, string keyHash, Guid holderId)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.DeleteWhere<IdempotencyKey>(k => k.Id == keyHash && k.HolderId == holderId && k.Version == null);
    }
}
