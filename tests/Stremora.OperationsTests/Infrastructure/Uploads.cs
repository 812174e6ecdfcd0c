using System.Net.Http.Headers;

namespace Stremora.OperationsTests.Infrastructure;

/// <summary>Upload forms with a real MP4 signature (the service sniffs the bytes) and deterministic filler.</summary>
public static class Uploads
{
    private static readonly byte[] Mp4Header = [0x00, 0x00, 0x00, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0x00, 0x00, 0x02, 0x00, (byte)'i', (byte)'s', (byte)'o', (byte)'m', (byte)'m', (byte)'p', (byte)'4', (byte)'1'];

    public static byte[] Mp4(int size, byte seed = 1)
    {
        var bytes = new byte[Math.Max(size, Mp4Header.Length)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 31) + seed + (i >> 12));
        }

        Mp4Header.CopyTo(bytes, 0);
        return bytes;
    }

    public static MultipartFormDataContent Form(string title, byte[] video)
    {
        var form = new MultipartFormDataContent { { new StringContent(title), "title" } };
        var file = new ByteArrayContent(video);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("video/mp4");
        form.Add(file, "video", "clip.mp4");
        return form;
    }
}
