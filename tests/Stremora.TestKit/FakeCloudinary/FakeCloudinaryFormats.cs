using System.Text.Json.Nodes;

namespace Stremora.TestKit.FakeCloudinary;

/// <summary>Formats by magic bytes (as Cloudinary detects them), and the JSON it returns for an asset.</summary>
internal static class FakeCloudinaryFormats
{
    /// <summary>Unrecognised content is accepted with the resource type's usual format, so tests may upload random bytes.</summary>
    public static string Sniff(Stream file, string resourceType)
    {
        Span<byte> head = stackalloc byte[12];
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (head.Length >= 8 && head[4..8].SequenceEqual("ftyp"u8))
        {
            return "mp4";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            return "webm";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "jpg";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]))
        {
            return "png";
        }

        return resourceType switch
        {
            "video" => "mp4",
            "image" => "jpg",
            _ => "bin",
        };
    }

    public static string ContentType(string format) => format switch
    {
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "jpg" => "image/jpeg",
        "png" => "image/png",
        _ => "application/octet-stream",
    };

    /// <summary>The upload result Cloudinary returns; <paramref name="reportedBytes"/> lets the fake lie about the size.</summary>
    public static JsonObject UploadResult(FakeCloudinaryServer server, FakeCloudinaryAsset asset, long reportedBytes)
    {
        var result = Resource(server, asset, reportedBytes);
        result["version_id"] = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        result["signature"] = asset.Sha256[..40];
        result["tags"] = new JsonArray();
        result["placeholder"] = false;
        result["folder"] = asset.PublicId.Contains('/', StringComparison.Ordinal) ? asset.PublicId[..asset.PublicId.LastIndexOf('/')] : "";
        result["original_filename"] = asset.OriginalFilename ?? "file";
        result["etag"] = asset.Etag;
        result["api_key"] = server.ApiKey;
        if (asset.ResourceType == "video")
        {
            result["playback_url"] = new Uri(server.SecureUrl(asset).ToString()[..^asset.Format.Length] + "m3u8").ToString();
        }

        return result;
    }

    /// <summary>An asset as the Admin API lists it.</summary>
    public static JsonObject Resource(FakeCloudinaryServer server, FakeCloudinaryAsset asset, long? reportedBytes = null)
    {
        var secureUrl = server.SecureUrl(asset).ToString();
        return new JsonObject
        {
            ["asset_id"] = asset.AssetId,
            ["public_id"] = asset.PublicId,
            ["version"] = asset.Version,
            ["format"] = asset.Format,
            ["resource_type"] = asset.ResourceType,
            ["type"] = "upload",
            ["created_at"] = asset.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["bytes"] = reportedBytes ?? asset.Bytes,
            ["url"] = secureUrl,
            ["secure_url"] = secureUrl,
        };
    }
}
