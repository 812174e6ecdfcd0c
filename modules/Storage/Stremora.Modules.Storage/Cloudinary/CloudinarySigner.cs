using System.Security.Cryptography;
using System.Text;

namespace Stremora.Modules.Storage.Cloudinary;

/// <summary>Cloudinary's request signature (version 2, as its SDKs send by default).</summary>
internal static class CloudinarySigner
{
    private static readonly HashSet<string> Unsigned = new(StringComparer.Ordinal)
    {
        "file", "cloud_name", "resource_type", "api_key", "signature",
    };

    /// <summary>Every sent parameter except the unsigned ones, non-empty, sorted by name, <c>name=value</c> joined with <c>&amp;</c>.</summary>
    public static string StringToSign(IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return string.Join(
            '&',
            parameters
                .Where(p => !Unsigned.Contains(p.Key) && !string.IsNullOrEmpty(p.Value))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{p.Key}={p.Value!.Replace("&", "%26", StringComparison.Ordinal)}"));
    }

    public static string Sign(IEnumerable<KeyValuePair<string, string?>> parameters, string apiSecret, CloudinarySignatureAlgorithm algorithm)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiSecret);
        var bytes = Encoding.UTF8.GetBytes(StringToSign(parameters) + apiSecret);
        var digest = algorithm switch
        {
#pragma warning disable CA5350 // Cloudinary's protocol defines SHA-1 as the default signature digest.
            CloudinarySignatureAlgorithm.Sha1 => SHA1.HashData(bytes),
#pragma warning restore CA5350
            CloudinarySignatureAlgorithm.Sha256 => SHA256.HashData(bytes),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
        };
        return Convert.ToHexStringLower(digest);
    }
}
