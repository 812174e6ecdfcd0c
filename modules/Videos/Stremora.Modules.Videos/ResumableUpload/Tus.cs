using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>The names and values of the tus 1.0 protocol (https://tus.io/protocols/resumable-upload) as this service speaks it.</summary>
internal static class Tus
{
    public const string Version = "1.0.0";
    public const string Route = "/api/uploads";

    public const string ResumableHeader = "Tus-Resumable";
    public const string VersionHeader = "Tus-Version";
    public const string ExtensionHeader = "Tus-Extension";
    public const string MaxSizeHeader = "Tus-Max-Size";
    public const string ChecksumAlgorithmHeader = "Tus-Checksum-Algorithm";
    public const string OffsetHeader = "Upload-Offset";
    public const string LengthHeader = "Upload-Length";
    public const string DeferLengthHeader = "Upload-Defer-Length";
    public const string MetadataHeader = "Upload-Metadata";
    public const string ExpiresHeader = "Upload-Expires";
    public const string ChecksumHeader = "Upload-Checksum";

    public const string Extensions = "creation,creation-with-upload,expiration,checksum,termination";

    /// <summary>The only body a PATCH (or a creation with upload) may carry.</summary>
    public const string ChunkContentType = "application/offset+octet-stream";

    /// <summary>The checksum extension's status for a chunk whose checksum does not match.</summary>
    public const int ChecksumMismatch = 460;

    public static string Location(Guid id) => $"{Route}/{id}";

    /// <summary>RFC 9110's HTTP-date, the form Upload-Expires takes.</summary>
    public static string HttpDate(DateTimeOffset at) => at.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A non-negative integer header (Upload-Length, Upload-Offset), or null when absent or not one.</summary>
    public static long? ReadLength(HttpRequest request, string header)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Headers[header].ToString();
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    public static bool IsChunk(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
               && string.Equals(type.MediaType.Value, ChunkContentType, StringComparison.OrdinalIgnoreCase);
    }

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public static ProblemHttpResult NotFound(Guid id) =>
        Problem(StatusCodes.Status404NotFound, "Upload not found", $"There is no upload {id} of yours.");

    public static ProblemHttpResult Gone(Guid id, string why) =>
        Problem(StatusCodes.Status410Gone, "Upload gone", $"Upload {id} {why}; start a new one with POST {Route}.");

    public static ProblemHttpResult NotAChunk() =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "Not an upload chunk", $"Send the bytes with Content-Type: {ChunkContentType}.");
}
