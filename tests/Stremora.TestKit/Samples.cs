using System.Security.Cryptography;

namespace Stremora.TestKit;

/// <summary>Files whose first bytes are real signatures; the rest is deterministic filler.</summary>
public static class Samples
{
    public static readonly IReadOnlyList<byte> Mp4Header = [0x00, 0x00, 0x00, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0x00, 0x00, 0x02, 0x00, (byte)'i', (byte)'s', (byte)'o', (byte)'m', (byte)'m', (byte)'p', (byte)'4', (byte)'1'];
    public static readonly IReadOnlyList<byte> JpegHeader = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00];
    public static readonly IReadOnlyList<byte> PngHeader = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Mp4(int size = 4096, byte seed = 1) => WithHeader(Mp4Header, size, seed);

    public static byte[] Jpeg(int size = 1024, byte seed = 7) => WithHeader(JpegHeader, size, seed);

    /// <summary>
    /// The header, then <c>i * 31 + seed</c>, shifted by one every 64 KiB so that a large file does not repeat
    /// itself at chunk or part boundaries (a misplaced chunk changes its SHA-256). Below 64 KiB, where the
    /// snapshots pin SHA-256 values, the shift is zero.
    /// </summary>
    public static byte[] WithHeader(IReadOnlyList<byte> header, int size, byte seed)
    {
        ArgumentNullException.ThrowIfNull(header);
        var bytes = new byte[Math.Max(size, header.Count)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 31) + seed + (i >> 16));
        }

        header.ToArray().CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>Plain text claiming to be a video.</summary>
    public static byte[] NotAVideo() => "This is a text file, not a video at all. It only says it is video/mp4."u8.ToArray();

    /// <summary>Lower-case hex SHA-256, the form the API reports.</summary>
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
