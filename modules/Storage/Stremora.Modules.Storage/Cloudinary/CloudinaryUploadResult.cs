using System.Text.Json;

namespace Stremora.Modules.Storage.Cloudinary;

/// <summary>The parts of Cloudinary's upload answer the service keeps.</summary>
internal sealed record CloudinaryUploadResult(string PublicId, string SecureUrl, long Bytes)
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
                return new CloudinaryUploadResult(publicId.GetString()!, secureUrl.GetString()!, size);
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

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
