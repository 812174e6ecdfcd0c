using System.Text.Json;

namespace Stremora.Modules.Storage.Cloudinary;

/// <summary>The parts of Cloudinary's upload answer the service keeps.</summary>
/// <param name="Md5Etag">The answer's <c>etag</c> when it is an MD5 (32 hex digits): the MD5 of the stored bytes.</param>
internal sealed record CloudinaryUploadResult(string PublicId, string SecureUrl, long Bytes, string? Md5Etag)
{
    /// <summary>Null when the answer is not JSON or lacks public_id, secure_url or bytes.</summary>
    public static CloudinaryUploadResult? TryParse(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("public_id", out var publicId) && publicId.ValueKind == JsonValueKind.String
                && root.TryGetProperty("secure_url", out var secureUrl) && secureUrl.ValueKind == JsonValueKind.String
                && root.TryGetProperty("bytes", out var bytes) && bytes.TryGetInt64(out var size))
            {
                var etag = root.TryGetProperty("etag", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                return new CloudinaryUploadResult(publicId.GetString()!, secureUrl.GetString()!, size, IsMd5(etag) ? etag : null);
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsMd5(string? etag) => etag is { Length: 32 } && etag.All(char.IsAsciiHexDigit);

    /// <summary>Non-final chunks answer <c>{"done": false, ...}</c>; anything else JSON-shaped is accepted too.</summary>
    public static bool IsJsonObject(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
