using System.Security.Cryptography;
using Stremora.TestKit.Media;
using Stremora.TestKit.Streams;

namespace Stremora.TestKit;

/// <summary>
/// "A video" for any test or benchmark: a real clip made by ffmpeg (<see cref="TestVideos"/>) followed by a <c>free</c>
/// box of deterministic filler up to the length asked for, so every sample is a valid, decodable MP4 of any size.
/// Images are signatures followed by filler (only their bytes' first signature is checked).
/// </summary>
public static class Samples
{
    /// <summary>An MP4 <c>ftyp</c> box alone: what passes the magic-byte sniff, for tests of the sniff (not a decodable video).</summary>
    public static readonly IReadOnlyList<byte> Mp4Header = [0x00, 0x00, 0x00, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0x00, 0x00, 0x02, 0x00, (byte)'i', (byte)'s', (byte)'o', (byte)'m', (byte)'m', (byte)'p', (byte)'4', (byte)'1'];
    public static readonly IReadOnlyList<byte> JpegHeader = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00];
    public static readonly IReadOnlyList<byte> PngHeader = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// A real MP4 of <paramref name="size"/> bytes (at least <see cref="TestVideos.MinimumLength"/>): the clip, then a
    /// <c>free</c> box whose filler depends on <paramref name="seed"/> (different seeds, different SHA-256).
    /// </summary>
    public static byte[] Mp4(int size = 4096, byte seed = 1)
    {
        var length = Math.Max(size, TestVideos.MinimumLength);
        return WithHeader(TestVideos.PaddedPrefix(length), length, seed);
    }

    /// <summary>
    /// A real MP4 of <paramref name="length"/> bytes streamed as it is read (no memory for any size): the clip and the
    /// <c>free</c> box header, then generated filler. Set the stream's hooks with <see cref="Mp4Prefix"/> and the
    /// <see cref="GeneratedStream"/> constructor instead when a test needs them.
    /// </summary>
    public static GeneratedStream Mp4Stream(long length, ulong seed = 0x9E3779B97F4A7C15) => new(length, seed, Mp4Prefix(length));

    /// <summary>The first bytes of a streamed video of <paramref name="length"/> bytes: hand them to <see cref="GeneratedStream"/> as its header.</summary>
    public static byte[] Mp4Prefix(long length) => TestVideos.PaddedPrefix(Math.Max(length, TestVideos.MinimumLength));

    public static byte[] Jpeg(int size = 1024, byte seed = 7) => WithHeader(JpegHeader, size, seed);

    /// <summary>
    /// The header, then <c>i * 31 + seed</c>, shifted by one every 64 KiB so that a large file does not repeat
    /// itself at chunk or part boundaries (a misplaced chunk changes its SHA-256).
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
