using System.Net.Http.Headers;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>Files whose first bytes are real signatures; the rest is deterministic filler.</summary>
public static class Samples
{
    public static readonly byte[] Mp4Header = [0x00, 0x00, 0x00, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0x00, 0x00, 0x02, 0x00, (byte)'i', (byte)'s', (byte)'o', (byte)'m', (byte)'m', (byte)'p', (byte)'4', (byte)'1'];
    public static readonly byte[] JpegHeader = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00];
    public static readonly byte[] PngHeader = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Mp4(int size = 4096, byte seed = 1) => WithHeader(Mp4Header, size, seed);

    public static byte[] Jpeg(int size = 1024, byte seed = 7) => WithHeader(JpegHeader, size, seed);

    public static byte[] WithHeader(byte[] header, int size, byte seed)
    {
        var bytes = new byte[Math.Max(size, header.Length)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 31) + seed);
        }

        header.CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>Plain text claiming to be a video.</summary>
    public static byte[] NotAVideo() => "This is a text file, not a video at all. It only says it is video/mp4."u8.ToArray();
}

/// <summary>Builds the upload form the way a browser's FormData would.</summary>
public sealed class UploadForm
{
    private readonly List<Action<MultipartFormDataContent>> _parts = [];

    public static UploadForm Valid(string title = "A day at the beach", byte[]? video = null) =>
        new UploadForm().Field("title", title).Field("description", "Waves, sand and a dog.").File("video", video ?? Samples.Mp4(), "video/mp4", "beach.mp4");

    public UploadForm Field(string name, string value)
    {
        _parts.Add(form => form.Add(new StringContent(value), name));
        return this;
    }

    public UploadForm File(string name, byte[] bytes, string contentType, string fileName)
    {
        _parts.Add(form =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            form.Add(content, name, fileName);
        });
        return this;
    }

    public MultipartFormDataContent Build()
    {
        var form = new MultipartFormDataContent();
        foreach (var part in _parts)
        {
            part(form);
        }

        return form;
    }
}
