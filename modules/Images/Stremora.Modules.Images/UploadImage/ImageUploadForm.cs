using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Stremora.Modules.Images.UploadImage;

/// <summary>
/// The image upload's multipart body, read section by section as it arrives: the <c>kind</c> field, then the
/// <c>image</c> part handed on to be stored (never buffered); unknown parts are read past.
/// </summary>
internal sealed class ImageUploadForm(MultipartReader reader)
{
    private const int MaxFieldBytes = 1024;

    public string? Kind { get; private set; }

    /// <summary>Raises Kestrel's body limit for this request to the image limit; null when the body is not a form.</summary>
    public static ImageUploadForm? Open(HttpContext http, ImageUploadOptions limits)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(limits);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxRequestBytes;
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Length == 0)
        {
            return null;
        }

        // The image's size is enforced by storage (MaxBytes) and the body's by Kestrel.
        return new ImageUploadForm(new MultipartReader(HeaderUtilities.RemoveQuotes(mediaType.Boundary).ToString(), http.Request.Body) { BodyLengthLimit = null });
    }

    /// <summary>Reads every section; the <c>image</c> part goes to <paramref name="storeImage"/> (with the kind read so far).</summary>
    public async Task ReadAsync(Func<MultipartSection, Task> storeImage, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(storeImage);
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            switch (PartName(section))
            {
                case "kind":
                    Kind = await ReadFieldAsync(section, ct);
                    break;
                case "image":
                    await storeImage(section);
                    break;
                default:
                    await section.Body.CopyToAsync(Stream.Null, ct);
                    break;
            }
        }
    }

    private static string PartName(MultipartSection section) =>
        ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(disposition.Name).ToString()
            : throw new ImageUploadRejectedException(StatusCodes.Status400BadRequest, "Malformed form", "Every part needs a 'Content-Disposition: form-data; name=...' header.");

    private static async Task<string> ReadFieldAsync(MultipartSection section, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var n = await section.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        return n > MaxFieldBytes
            ? throw new ImageUploadRejectedException(StatusCodes.Status400BadRequest, "Field too large", $"The 'kind' field is larger than {MaxFieldBytes} bytes.")
            : Encoding.UTF8.GetString(buffer, 0, n);
    }
}

/// <summary>The upload stops with this problem; whatever it stored is removed first.</summary>
internal sealed class ImageUploadRejectedException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}
