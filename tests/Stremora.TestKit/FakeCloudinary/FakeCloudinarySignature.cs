using System.Security.Cryptography;
using System.Text;

namespace Stremora.TestKit.FakeCloudinary;

/// <summary>
/// Cloudinary's signature check, written independently of the service's signer so that a shared
/// mistake cannot pass unnoticed: every sent field except file, cloud_name, resource_type,
/// api_key and signature, non-empty, sorted, name=value joined by &amp; (&amp; in values as %26), plus the secret.
/// </summary>
internal static class FakeCloudinarySignature
{
    private static readonly string[] Unsigned = ["file", "cloud_name", "resource_type", "api_key", "signature"];

    public static string StringToSign(IReadOnlyDictionary<string, string> fields)
    {
        var builder = new StringBuilder();
        foreach (var name in fields.Keys.Where(k => !Unsigned.Contains(k) && fields[k].Length > 0).Order(StringComparer.Ordinal))
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            builder.Append(name).Append('=').Append(fields[name].Replace("&", "%26", StringComparison.Ordinal));
        }

        return builder.ToString();
    }

    public static string Compute(string stringToSign, string secret, string algorithm)
    {
        var bytes = Encoding.UTF8.GetBytes(stringToSign + secret);
#pragma warning disable CA5350 // Cloudinary's default signature digest is SHA-1.
        var digest = algorithm == "sha256" ? SHA256.HashData(bytes) : SHA1.HashData(bytes);
#pragma warning restore CA5350
        return Convert.ToHexStringLower(digest);
    }
}
