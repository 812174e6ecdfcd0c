using System.Security.Cryptography;
using System.Text;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images.UploadImage;

/// <summary>
/// Claims an Idempotency-Key for one user's image upload. The id is the hash of user + key, so two concurrent
/// uploads with the same key collide on the primary key instead of both being recorded.
/// </summary>
internal sealed record ImageIdempotencyKey(string Id, Guid ImageId, string Kind, string Sha256);

/// <summary>The key as read from the request: only its hash is ever stored.</summary>
internal sealed record ImageKey(string Hash)
{
    public ImageIdempotencyKey Claim(Guid imageId, ImageUploaded uploaded) => new(Hash, imageId, uploaded.Kind, uploaded.Sha256);
}

/// <summary>
/// The optional <c>Idempotency-Key</c>, as for videos: the same key and content from the same user answers with the
/// same image (201, <c>Idempotent-Replayed: true</c>) instead of a second one; different content is a 409; a deleted
/// image frees its key.
/// </summary>
internal static class ImageIdempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 255;

    /// <returns>False (with the problem to answer) when the header is present but empty or too long.</returns>
    public static bool TryReadKey(HttpRequest request, string ownerId, out ImageKey? key, out ProblemHttpResult? invalid)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Headers[Header].ToString();
        key = null;
        invalid = null;
        if (request.Headers.ContainsKey(Header) && (value.Length is 0 or > MaxKeyLength))
        {
            invalid = ImageProblems.Problem(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key", $"The {Header} header must be 1 to {MaxKeyLength} characters.");
            return false;
        }

        if (value.Length > 0)
        {
            key = new ImageKey(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("image\n" + ownerId + "\n" + value))));
        }

        return true;
    }

    /// <summary>The key's claim, if an earlier upload made one, and its image if that is still served (else the key is free again).</summary>
    public static async Task<(ImageIdempotencyKey? Claim, ImageDetails? Image)> FindAsync(IDocumentStore store, ImageKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        await using var session = store.QuerySession();
        var claim = await session.LoadAsync<ImageIdempotencyKey>(key.Hash, ct);
        var image = claim is null ? null : await session.LoadAsync<ImageDetails>(claim.ImageId, ct);
        return (claim, image is { Status: ImageStatuses.Ready } ? image : null);
    }

    /// <summary>The earlier image for the same content, a 409 for other content.</summary>
    public static async Task<Results<Created<ImageResponse>, ProblemHttpResult>> ReplayAsync(
        ImageIdempotencyKey claim,
        ImageDetails image,
        string kind,
        string sha256,
        IVideoStorage storage,
        HttpResponse response,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(response);
        if (!string.Equals(claim.Sha256, sha256, StringComparison.Ordinal) || !string.Equals(claim.Kind, kind, StringComparison.Ordinal))
        {
            return ImageProblems.Problem(StatusCodes.Status409Conflict, "Idempotency-Key reused", $"This {Header} was already used for an image with different content or kind; use a new key for a new upload.");
        }

        response.Headers[ReplayedHeader] = "true";
        return TypedResults.Created(ImageResponse.Location(image.Id), await ImageResponse.FromAsync(image, storage, ct));
    }

    public static bool IsClaimConflict(Exception e) => e is DocumentAlreadyExistsException;
}
