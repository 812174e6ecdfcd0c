using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Stremora.Modules.Storage.Contracts;
using MinDataRate = Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate;
using MultipartSection = Microsoft.AspNetCore.WebUtilities.MultipartSection;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// Reads the multipart/form-data body section by section as it arrives: text fields into the form, file parts
/// handed on to be stored (never buffered), anything else read past.
/// </summary>
internal sealed class UploadForm(MultipartReader reader, UploadOptions limits)
{
    private const int MaxFieldBytes = 64 * 1024;

    // 64 KiB reads instead of the reader's default 4 KiB: every read of a file part costs a spool write,
    // a hash update and a wake-up of the provider, so 4 KiB reads made receiving cost more CPU than sending.
    private const int MultipartBufferBytes = 64 * 1024;

    /// <summary>Raises Kestrel's limits for this request only and opens its body; null when it is not a form upload.</summary>
    public static UploadForm? Open(HttpContext http, Stream body, UploadOptions limits)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(limits);

        // Kestrel's default (~28.6 MB) would cut videos off: raise it for this route only.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxRequestBytes;
        }

        // A client that stalls mid-body (slow-loris) is cut off with a 408 instead of holding the request and its spool file.
        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } bodyRate)
        {
            bodyRate.MinDataRate = new MinDataRate(limits.MinBodyBytesPerSecond, TimeSpan.FromSeconds(limits.BodyRateGracePeriodSeconds));
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Length == 0)
        {
            return null;
        }

        return new UploadForm(
            new MultipartReader(HeaderUtilities.RemoveQuotes(mediaType.Boundary).ToString(), body, MultipartBufferBytes)
            {
                // Per-part limits are enforced by storage (MaxBytes) and the whole body by Kestrel; the reader's 128 MB default would cut videos off.
                BodyLengthLimit = null,
            },
            limits);
    }

    /// <summary>Reads every section: fields into <paramref name="form"/>, each file part through <paramref name="storeFile"/>.</summary>
    public async Task ReadAsync(UploadVideoRequest form, Func<StoredFileKind, MultipartSection, Task<UploadedFile>> storeFile, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(storeFile);
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            switch (PartName(section))
            {
                case "title":
                    form.Title = await ReadFieldAsync(section, "title", ct);
                    break;
                case "description":
                    form.Description = await ReadFieldAsync(section, "description", ct);
                    break;
                case "video":
                    form.Video = form.Video is null
                        ? await storeFile(StoredFileKind.Video, section)
                        : throw UploadRejectedException.Problem(StatusCodes.Status400BadRequest, "Duplicate video", "Send exactly one part named 'video'.");
                    break;
                case "thumbnail":
                    form.Thumbnail = form.Thumbnail is null
                        ? await storeFile(StoredFileKind.Thumbnail, section)
                        : throw UploadRejectedException.Problem(StatusCodes.Status400BadRequest, "Duplicate thumbnail", "Send at most one part named 'thumbnail'.");
                    break;
                default:
                    // Unknown parts are read past, not kept (the body size limit still applies).
                    await section.Body.CopyToAsync(Stream.Null, ct);
                    break;
            }
        }
    }

    /// <summary>For a replay: the content's SHA-256 per file part, read through without storing anything.</summary>
    public async Task<(string? Video, string? Thumbnail)> HashFilesAsync(CancellationToken ct)
    {
        string? video = null, thumbnail = null;
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            var name = PartName(section);
            if (name is "video" or "thumbnail")
            {
                var kind = name == "video" ? StoredFileKind.Video : StoredFileKind.Thumbnail;
                var hash = await HashAsync(section.Body, kind, ct);
                (video, thumbnail) = kind == StoredFileKind.Video ? (hash, thumbnail) : (video, hash);
            }
            else
            {
                await section.Body.CopyToAsync(Stream.Null, ct);
            }
        }

        return (video, thumbnail);
    }

    /// <summary>The most bytes a file part may hold.</summary>
    public long MaxBytes(StoredFileKind kind) => kind == StoredFileKind.Video ? limits.MaxVideoBytes : limits.MaxThumbnailBytes;

    private async Task<string> HashAsync(Stream body, StoredFileKind kind, CancellationToken ct)
    {
        var maxBytes = MaxBytes(kind);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            total += n;
            if (total > maxBytes)
            {
                var tooLarge = new StoreOutcome.TooLarge(kind, maxBytes, []);
                throw new UploadRejectedException(UploadProblems.TooLarge(tooLarge.Message), tooLarge.Message);
            }

            sha.AppendData(buffer, 0, n);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string PartName(MultipartSection section)
    {
        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw UploadRejectedException.Problem(StatusCodes.Status400BadRequest, "Malformed form", "Every part needs a 'Content-Disposition: form-data; name=...' header.");
        }

        return HeaderUtilities.RemoveQuotes(disposition.Name).ToString();
    }

    private static async Task<string> ReadFieldAsync(MultipartSection section, string name, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var n = await section.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        return n > MaxFieldBytes
            ? throw UploadRejectedException.Problem(StatusCodes.Status400BadRequest, "Field too large", $"The '{name}' field is larger than {MaxFieldBytes} bytes.")
            : Encoding.UTF8.GetString(buffer, 0, n);
    }
}
