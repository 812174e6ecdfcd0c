using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Stremora.Modules.Videos.ReplaceThumbnail;

/// <summary>
/// The replacement's multipart body, read section by section as it arrives: the one <c>thumbnail</c> part is handed
/// on to be stored (never buffered); any other part is read past.
/// </summary>
internal sealed class ThumbnailForm(MultipartReader reader)
{
    public const string PartName = "thumbnail";

    /// <summary>Caps Kestrel's body limit for this request at the thumbnail limit; null when the body is not a form.</summary>
    public static ThumbnailForm? Open(HttpContext http, long maxRequestBytes)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = maxRequestBytes;
        }

        return MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var mediaType)
            && string.Equals(mediaType.MediaType.Value, "multipart/form-data", StringComparison.OrdinalIgnoreCase)
            && HeaderUtilities.RemoveQuotes(mediaType.Boundary) is { Length: > 0 } boundary
            // The part's size is enforced by storage (MaxBytes) and the body's by Kestrel.
            ? new ThumbnailForm(new MultipartReader(boundary.ToString(), http.Request.Body) { BodyLengthLimit = null })
            : null;
    }

    /// <summary>Reads every section; the <c>thumbnail</c> part goes to <paramref name="store"/>, once.</summary>
    /// <returns>What <paramref name="store"/> answered; null when there was no thumbnail part.</returns>
    public async Task<T?> ReadAsync<T>(Func<Stream, Task<T>> store, CancellationToken ct)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(store);
        T? stored = null;
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (NameOf(section) != PartName)
            {
                await section.Body.CopyToAsync(Stream.Null, ct);
            }
            else if (stored is null)
            {
                stored = await store(section.Body);
            }
            else
            {
                throw new ThumbnailRejectedException(Problem(StatusCodes.Status400BadRequest, "Duplicate thumbnail", $"Send exactly one part named '{PartName}'."));
            }
        }

        return stored;
    }

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static string NameOf(MultipartSection section) =>
        ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(disposition.Name).ToString()
            : throw new ThumbnailRejectedException(Problem(StatusCodes.Status400BadRequest, "Malformed form", "Every part needs a 'Content-Disposition: form-data; name=...' header."));
}

/// <summary>The replacement stops with this problem; whatever it stored is removed first.</summary>
internal sealed class ThumbnailRejectedException(ProblemHttpResult problem) : Exception(problem?.ProblemDetails.Detail)
{
    public ProblemHttpResult Problem { get; } = problem!;
}
