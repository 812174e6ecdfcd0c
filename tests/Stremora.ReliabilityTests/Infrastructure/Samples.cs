using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Stremora.ReliabilityTests.Infrastructure;

/// <summary>Files whose first bytes are real signatures; the rest is deterministic filler.</summary>
public static class Samples
{
    public static readonly byte[] Mp4Header = [0x00, 0x00, 0x00, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0x00, 0x00, 0x02, 0x00, (byte)'i', (byte)'s', (byte)'o', (byte)'m', (byte)'m', (byte)'p', (byte)'4', (byte)'1'];
    public static readonly byte[] JpegHeader = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00];

    public static byte[] Mp4(int size = 4096, byte seed = 1) => WithHeader(Mp4Header, size, seed);

    public static byte[] Jpeg(int size = 1024, byte seed = 7) => WithHeader(JpegHeader, size, seed);

    public static byte[] WithHeader(byte[] header, int size, byte seed)
    {
        var bytes = new byte[Math.Max(size, header.Length)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 31) + seed + (i >> 12));
        }

        header.CopyTo(bytes, 0);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A valid upload form as a browser's FormData would send it.</summary>
    public static MultipartFormDataContent ValidForm(string title = "Matrix video", byte[]? video = null)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(title), "title" },
            { new StringContent("Uploaded by the reliability suite."), "description" },
        };
        var file = new ByteArrayContent(video ?? Mp4());
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("video/mp4");
        form.Add(file, "video", "clip.mp4");
        return form;
    }
}
