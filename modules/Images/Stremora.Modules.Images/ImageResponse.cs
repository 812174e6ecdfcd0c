using System.Text.Json.Serialization;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images;

/// <summary>The image JSON of the HTTP contract, served by upload, get and list.</summary>
internal sealed record ImageResponse(
    Guid Id,
    string Kind,
    string OwnerId,
    DateTimeOffset CreatedAt,
    ImageFileResponse File,
    IReadOnlyList<ImageAttemptResponse> Attempts)
{
    public static string Location(Guid id) => $"/api/images/{id}";

    /// <summary>Asks storage for the URL now: S3 URLs are presigned and expire, so they are never stored.</summary>
    public static async Task<ImageResponse> FromAsync(ImageDetails image, IVideoStorage storage, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(storage);
        var file = image.File;
        return new ImageResponse(
            image.Id,
            image.Kind,
            image.OwnerId,
            image.CreatedAt,
            new ImageFileResponse(file.Provider, file.Locator, await storage.GetPlaybackUrlAsync(file, ct), file.Bytes, file.ContentType, file.Sha256),
            [.. image.Attempts.Select(a => new ImageAttemptResponse("image", a.Provider, a.Outcome, a.Error, a.ElapsedMs))]);
    }
}

internal sealed record ImageFileResponse(string Provider, string Locator, string Url, long Bytes, string ContentType, string Sha256);

internal sealed record ImageAttemptResponse(
    string File,
    string Provider,
    string Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    long ElapsedMs);
