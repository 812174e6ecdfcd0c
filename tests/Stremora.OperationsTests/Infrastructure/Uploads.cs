using System.Net.Http.Headers;

namespace Stremora.OperationsTests.Infrastructure;

/// <summary>Upload forms for a video (make it with the TestKit's <c>Samples.Mp4</c>: the service analyses what it stores).</summary>
public static class Uploads
{
    public static MultipartFormDataContent Form(string title, byte[] video)
    {
        var form = new MultipartFormDataContent { { new StringContent(title), "title" } };
        var file = new ByteArrayContent(video);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("video/mp4");
        form.Add(file, "video", "clip.mp4");
        return form;
    }
}
