namespace Stremora.Modules.Images.UploadImage;

/// <summary>What an image is, from its first bytes; the client's declared type is never trusted.</summary>
internal static class ImageSniffer
{
    /// <summary>Enough for every signature below.</summary>
    public const int PrefixLength = 12;

    /// <returns>The content type to store, or null when the bytes are not JPEG, PNG or WebP.</returns>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        return head.Length >= 12 && head.StartsWith("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WEBP"u8) ? "image/webp" : null;
    }
}
