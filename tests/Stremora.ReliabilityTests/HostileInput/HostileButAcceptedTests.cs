using System.Net;
using System.Text;
using System.Text.Json;
using Stremora.ReliabilityTests.Infrastructure;
using Stremora.TestKit.Media;

namespace Stremora.ReliabilityTests.HostileInput;

/// <summary>
/// Hostile-looking uploads that are nonetheless valid videos: they must be accepted, and the hostile part
/// must have no effect. The client's file name is never used for anything (storage keys derive from the
/// video id), so traversal, control characters and header injection in it are inert. An MP4 whose header is
/// followed by HTML is an MP4 as far as a container-signature sniffer can tell: it is stored byte for byte
/// and only ever described and served as video/mp4, never as HTML, so it cannot run as a page.
/// </summary>
public sealed class HostileButAcceptedTests(HostileApiFactory api) : IClassFixture<HostileApiFactory>
{
    public static TheoryData<string> HostileFileNames() =>
    [
        "../../../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "/absolute/path.mp4",
        "clip\u0000.mp4",
        "clip\u0007\u001b[31m.mp4",
        "%2e%2e%2f%2e%2e%2fescape.mp4",
        new string('a', 4000) + ".mp4",
    ];

    [Theory]
    [MemberData(nameof(HostileFileNames))]
    public async Task A_hostile_file_name_is_ignored(string fileName)
    {
        var video = Samples.Mp4(8192, seed: 11);
        var form = new RawForm().Field("title", "Hostile name").Part($"Content-Disposition: form-data; name=\"video\"; filename=\"{fileName}\"\r\nContent-Type: video/mp4", video).Close();

        var created = await UploadAsync(form);

        AssertStoredUnderItsId(created, video);
        // Nothing appeared next to the storage folders (where a "../" would land).
        Assert.Equal([api.LocalStorageRoot, api.SpoolDirectory], Directory.GetFileSystemEntries(api.WorkDirectory).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("passwd", created.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Header_injection_in_a_part_header_adds_no_response_header()
    {
        var video = Samples.Mp4(4096, seed: 12);
        var form = new RawForm().Field("title", "Injected").Part(
            "Content-Disposition: form-data; name=\"video\"; filename=\"a.mp4\"\r\nX-Injected: yes\r\nSet-Cookie: session=stolen\r\nContent-Type: video/mp4", video).Close();

        using var client = api.Client("hostile-user-1");
        using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), form.ToContent());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Injected"));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        AssertStoredUnderItsId(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, video);
    }

    [Fact]
    public async Task A_video_carrying_html_is_stored_verbatim_and_only_ever_called_video_mp4()
    {
        // A real clip whose trailing free box holds a page: decodable video, and HTML to a sniffing browser.
        var html = Encoding.UTF8.GetBytes("<html><body><script>alert(document.cookie)</script></body></html>");
        byte[] polyglot = [.. TestVideos.Clip, .. TestVideos.FreeBoxHeader(8 + html.Length), .. html];
        var form = new RawForm().Field("title", "MP4 + HTML").File("video", polyglot, "text/html", "page.html").Close();

        var created = await UploadAsync(form);

        Assert.Equal("video/mp4", created.GetProperty("video").GetProperty("contentType").GetString());
        AssertStoredUnderItsId(created, polyglot);
        using var client = new HttpClient();
        using var served = await client.GetAsync(new Uri(created.GetProperty("video").GetProperty("url").GetString()!));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.NotEqual("text/html", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(polyglot, await served.Content.ReadAsByteArrayAsync());
    }

    private async Task<JsonElement> UploadAsync(RawForm form)
    {
        using var client = api.Client("hostile-user-1");
        using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), form.ToContent());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Expected 201, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The file went to the first provider under a key made of the video id only, with exactly the bytes sent.</summary>
    private void AssertStoredUnderItsId(JsonElement created, byte[] sent)
    {
        var id = Guid.Parse(created.GetProperty("id").GetString()!);
        var file = created.GetProperty("video");
        Assert.Equal(Samples.Sha256(sent), file.GetProperty("sha256").GetString());
        Assert.Equal($"stremora/videos/{id:N}/video", file.GetProperty("locator").GetString());
        var asset = api.Cloudinary.FindAsset($"stremora/videos/{id:N}/video");
        Assert.NotNull(asset);
    }
}
