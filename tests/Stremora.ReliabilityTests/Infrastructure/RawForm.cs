using System.Net.Http.Headers;
using System.Text;

namespace Stremora.ReliabilityTests.Infrastructure;

/// <summary>
/// A multipart/form-data body written byte by byte, so a test can send what no well-behaved client
/// would: raw part headers, missing closing boundaries, duplicate parts.
/// </summary>
public sealed class RawForm
{
    private readonly MemoryStream _body = new();

    public RawForm(string boundary = "----stremora-hostile-0f9e")
    {
        Boundary = boundary;
    }

    public string Boundary { get; }

    public RawForm Field(string name, string value) =>
        Part($"Content-Disposition: form-data; name=\"{name}\"", Encoding.UTF8.GetBytes(value));

    public RawForm File(string name, byte[] bytes, string contentType = "video/mp4", string fileName = "clip.mp4") =>
        Part($"Content-Disposition: form-data; name=\"{name}\"; filename=\"{fileName}\"\r\nContent-Type: {contentType}", bytes);

    /// <summary>A part with its header block exactly as given (lines separated by CRLF).</summary>
    public RawForm Part(string headers, byte[] body)
    {
        Write($"--{Boundary}\r\n{headers}\r\n\r\n");
        _body.Write(body);
        Write("\r\n");
        return this;
    }

    public RawForm Close()
    {
        Write($"--{Boundary}--\r\n");
        return this;
    }

    public byte[] ToBytes() => _body.ToArray();

    /// <summary>The body as HTTP content, declared with <paramref name="boundary"/> (by default the one it was written with).</summary>
    public ByteArrayContent ToContent(string? boundary = null)
    {
        var content = new ByteArrayContent(ToBytes());
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary ?? Boundary}");
        return content;
    }

    public static RawForm Valid(string title = "Hostile corpus control", byte[]? video = null) =>
        new RawForm().Field("title", title).Field("description", "A valid upload.").File("video", video ?? Samples.Mp4());

    private void Write(string text) => _body.Write(Encoding.UTF8.GetBytes(text));
}

/// <summary>Content whose body is a stream of unknown length: sent chunked, so no Content-Length check can catch it early.</summary>
public sealed class UnknownLengthContent(byte[] bytes) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    public static UnknownLengthContent Multipart(RawForm form)
    {
        var content = new UnknownLengthContent(form.ToBytes());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={form.Boundary}");
        return content;
    }
}
