using System.Net.Http.Headers;

namespace Stremora.TestKit;

/// <summary>Builds the upload form the way a browser's FormData would.</summary>
public sealed class UploadForm
{
    public const string DefaultDescription = "Waves, sand and a dog.";

    private readonly List<Action<MultipartFormDataContent>> _parts = [];

    public static UploadForm Valid(string title = "A day at the beach", byte[]? video = null, string description = DefaultDescription) =>
        new UploadForm().Field("title", title).Field("description", description).File("video", video ?? Samples.Mp4(), "video/mp4", "beach.mp4");

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

    /// <summary>A part streamed from <paramref name="content"/> (a generated file of any size); the form owns the stream once built.</summary>
    public UploadForm File(string name, Stream content, string contentType, string fileName, int? bufferSize = null)
    {
        _parts.Add(form =>
        {
            var part = bufferSize is { } size ? new StreamContent(content, size) : new StreamContent(content);
            part.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            form.Add(part, name, fileName);
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
