using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Stremora.ReliabilityTests.Infrastructure;

namespace Stremora.ReliabilityTests.HostileInput;

/// <summary>
/// The hostile input corpus against POST /api/videos and the id routes. Every case is refused with its
/// status and an RFC 9457 body that reveals nothing internal, and afterwards the catalog, both providers
/// (fake Cloudinary, local disk), the spool folder and Cloudinary's unfinished chunked uploads are exactly
/// as before. Cases that must be accepted (a hostile file name, an MP4 that carries HTML) are in
/// <see cref="HostileButAcceptedTests"/>.
/// </summary>
public sealed class HostileUploadTests(HostileApiFactory api) : IClassFixture<HostileApiFactory>
{
    private const string User = "hostile-user-1";

    private sealed record HostileCase(HttpStatusCode Expected, Func<HttpRequestMessage> Request);

    private static HttpRequestMessage Post(HttpContent content) => new(HttpMethod.Post, "/api/videos") { Content = content };

    private static readonly byte[] ZipBytes = [(byte)'P', (byte)'K', 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, .. new byte[2048]];

    /// <summary>A JPEG that is also a ZIP (the classic polyglot): image header, archive appended.</summary>
    private static byte[] JpegZipPolyglot() => [.. Samples.Jpeg(2048), .. ZipBytes];

    private static byte[] Html() => "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"u8.ToArray();

    private static readonly Dictionary<string, HostileCase> Corpus = new(StringComparer.Ordinal)
    {
        ["missing title"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("description", "d").File("video", Samples.Mp4()).Close().ToContent())),
        ["empty title"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", "").File("video", Samples.Mp4()).Close().ToContent())),
        ["whitespace title"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", "   \t ").File("video", Samples.Mp4()).Close().ToContent())),
        ["title of 201 characters"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", new string('t', 201)).File("video", Samples.Mp4()).Close().ToContent())),
        ["title of 201 characters after the video"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().File("video", Samples.Mp4()).Field("title", new string('t', 201)).Close().ToContent())),
        ["title larger than any field may be"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", new string('t', 70_000)).File("video", Samples.Mp4()).Close().ToContent())),
        ["description of 5001 characters"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", "t").Field("description", new string('d', 5001)).File("video", Samples.Mp4()).Close().ToContent())),
        ["title with a NUL character"] = new(HttpStatusCode.BadRequest, () => Post(RawForm.Valid("before\0after").Close().ToContent())),
        ["description with a NUL character"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", "t").Field("description", "a\0b").File("video", Samples.Mp4()).Close().ToContent())),
        ["title with CR LF and a fake header"] = new(HttpStatusCode.BadRequest, () => Post(RawForm.Valid("Nice title\r\nLocation: https://evil.example/\r\n").Close().ToContent())),
        ["part Content-Type with a NUL and CR"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", "t").Part("Content-Disposition: form-data; name=\"video\"; filename=\"a.mp4\"\r\nContent-Type: video/mp4\0\r", []).Close().ToContent())),
        ["missing video part"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", "t").Field("description", "d").Close().ToContent())),
        ["no parts at all"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Close().ToContent())),
        ["zero-byte video"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", "t").File("video", []).Close().ToContent())),
        ["zero-byte thumbnail"] = new(HttpStatusCode.BadRequest, () => Post(RawForm.Valid().File("thumbnail", [], "image/jpeg", "t.jpg").Close().ToContent())),
        ["text under video/mp4"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(RawForm.Valid(video: "This is a text file, not a video at all."u8.ToArray()).Close().ToContent())),
        ["HTML page under video/mp4"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(RawForm.Valid(video: Html()).Close().ToContent())),
        ["JPEG under video/mp4"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(RawForm.Valid(video: Samples.Jpeg(4096)).Close().ToContent())),
        ["ZIP under video/mp4"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(RawForm.Valid(video: ZipBytes).Close().ToContent())),
        ["JPEG+ZIP polyglot under video/mp4"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(RawForm.Valid(video: JpegZipPolyglot()).Close().ToContent())),
        ["ELF executable under video/mp4"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(RawForm.Valid(video: [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, .. new byte[1024]]).Close().ToContent())),
        ["HEIC image (ISO BMFF, not video)"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(RawForm.Valid(video: Samples.WithHeader([0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c'], 2048, 3)).Close().ToContent())),
        ["thumbnail that is text"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(RawForm.Valid().File("thumbnail", "not an image"u8.ToArray(), "image/png", "t.png").Close().ToContent())),
        ["thumbnail that is a video"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(RawForm.Valid().File("thumbnail", Samples.Mp4(), "image/jpeg", "t.jpg").Close().ToContent())),
        ["thumbnail that is SVG with script"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(RawForm.Valid().File("thumbnail", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray(), "image/svg+xml", "t.svg").Close().ToContent())),
        ["truncated multipart (no closing boundary)"] = new(HttpStatusCode.BadRequest, () => Post(RawForm.Valid().ToContent())),
        ["truncated multipart (cut inside the video)"] = new(HttpStatusCode.BadRequest, () => Post(new ByteArrayContent(RawForm.Valid().Close().ToBytes()[..600]) { Headers = { { "Content-Type", "multipart/form-data; boundary=----stremora-hostile-0f9e" } } })),
        ["two video parts"] = new(HttpStatusCode.BadRequest, () => Post(RawForm.Valid().File("video", Samples.Mp4(seed: 9)).Close().ToContent())),
        ["two thumbnail parts"] = new(HttpStatusCode.BadRequest, () => Post(RawForm.Valid().File("thumbnail", Samples.Jpeg()).File("thumbnail", Samples.Jpeg(seed: 3)).Close().ToContent())),
        ["part without Content-Disposition"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", "t").Part("Content-Type: video/mp4", Samples.Mp4()).Close().ToContent())),
        ["part with attachment disposition"] = new(HttpStatusCode.BadRequest, () => Post(new RawForm().Field("title", "t").Part("Content-Disposition: attachment; name=\"video\"; filename=\"a.mp4\"", Samples.Mp4()).Close().ToContent())),
        ["wrong boundary declared"] = new(HttpStatusCode.BadRequest, () => Post(RawForm.Valid().Close().ToContent(boundary: "not-the-boundary-used"))),
        ["multipart without a boundary"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(new ByteArrayContent(RawForm.Valid().Close().ToBytes()) { Headers = { { "Content-Type", "multipart/form-data" } } })),
        ["JSON instead of multipart"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(new StringContent("{\"title\":\"t\",\"video\":\"AAAAGGZ0eXBpc29t\"}", Encoding.UTF8, "application/json"))),
        ["urlencoded form instead of multipart"] = new(HttpStatusCode.UnsupportedMediaType, () => Post(new FormUrlEncodedContent([new("title", "t"), new("video", "x")]))),
        ["no body at all"] = new(HttpStatusCode.UnsupportedMediaType, () => new HttpRequestMessage(HttpMethod.Post, "/api/videos")),
        ["video over the limit, chunked (no Content-Length)"] = new(HttpStatusCode.RequestEntityTooLarge, () => Post(UnknownLengthContent.Multipart(RawForm.Valid(video: Samples.Mp4((int)ReliabilityApiFactory.MaxVideoBytes + 1)).Close()))),
        ["thumbnail over the limit"] = new(HttpStatusCode.RequestEntityTooLarge, () => Post(UnknownLengthContent.Multipart(RawForm.Valid().File("thumbnail", Samples.Jpeg((int)ReliabilityApiFactory.MaxThumbnailBytes + 1), "image/jpeg", "t.jpg").Close()))),
        ["empty Idempotency-Key"] = new(HttpStatusCode.BadRequest, () => WithHeader(Post(RawForm.Valid().Close().ToContent()), "Idempotency-Key", "")),
        ["Idempotency-Key of 256 characters"] = new(HttpStatusCode.BadRequest, () => WithHeader(Post(RawForm.Valid().Close().ToContent()), "Idempotency-Key", new string('k', 256))),
    };

    private static readonly Dictionary<string, HostileCase> IdCorpus = new(StringComparer.Ordinal)
    {
        ["GET a non-GUID id"] = new(HttpStatusCode.NotFound, () => new HttpRequestMessage(HttpMethod.Get, "/api/videos/not-a-guid")),
        ["GET the empty GUID"] = new(HttpStatusCode.NotFound, () => new HttpRequestMessage(HttpMethod.Get, $"/api/videos/{Guid.Empty}")),
        ["GET an id with path traversal"] = new(HttpStatusCode.NotFound, () => new HttpRequestMessage(HttpMethod.Get, "/api/videos/..%2F..%2Fetc%2Fpasswd")),
        ["GET an id with SQL"] = new(HttpStatusCode.NotFound, () => new HttpRequestMessage(HttpMethod.Get, "/api/videos/1'%20OR%20'1'='1")),
        ["DELETE a non-GUID id"] = new(HttpStatusCode.NotFound, () => new HttpRequestMessage(HttpMethod.Delete, "/api/videos/not-a-guid")),
        ["DELETE the empty GUID"] = new(HttpStatusCode.NotFound, () => new HttpRequestMessage(HttpMethod.Delete, $"/api/videos/{Guid.Empty}")),
        ["DELETE an unknown GUID"] = new(HttpStatusCode.NotFound, () => new HttpRequestMessage(HttpMethod.Delete, $"/api/videos/{Guid.CreateVersion7()}")),
        ["history of a non-GUID id"] = new(HttpStatusCode.NotFound, () => new HttpRequestMessage(HttpMethod.Get, "/api/videos/not-a-guid/history")),
        ["history of the empty GUID"] = new(HttpStatusCode.NotFound, () => new HttpRequestMessage(HttpMethod.Get, $"/api/videos/{Guid.Empty}/history")),
        ["list with page 0"] = new(HttpStatusCode.BadRequest, () => new HttpRequestMessage(HttpMethod.Get, "/api/videos?page=0")),
        ["list with a page that is not a number"] = new(HttpStatusCode.BadRequest, () => new HttpRequestMessage(HttpMethod.Get, "/api/videos?page=abc")),
        ["list with pageSize 100000"] = new(HttpStatusCode.BadRequest, () => new HttpRequestMessage(HttpMethod.Get, "/api/videos?pageSize=100000")),
        ["list with a page past int range"] = new(HttpStatusCode.BadRequest, () => new HttpRequestMessage(HttpMethod.Get, "/api/videos?page=99999999999")),
    };

    public static TheoryData<string> UploadCases() => [.. Corpus.Keys];

    public static TheoryData<string> IdCases() => [.. IdCorpus.Keys];

    [Fact]
    public void The_corpus_has_at_least_thirty_cases() => Assert.True(Corpus.Count + IdCorpus.Count >= 30, $"{Corpus.Count + IdCorpus.Count} cases");

    [Theory]
    [MemberData(nameof(UploadCases))]
    public async Task Hostile_upload_is_refused_and_leaves_nothing(string name)
    {
        await RefusedAsync(name, Corpus[name]);
    }

    [Theory]
    [MemberData(nameof(IdCases))]
    public async Task Hostile_id_route_call_is_refused_and_changes_nothing(string name)
    {
        await RefusedAsync(name, IdCorpus[name]);
    }

    private async Task RefusedAsync(string name, HostileCase hostile)
    {
        // A real video in the catalog, so "unchanged" means something for the id routes too.
        await api.EnsureSeedAsync();
        var before = await api.LeftBehindAsync();
        using var client = api.Client(User);
        using var request = hostile.Request();
        using var response = await client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, hostile.Expected, name);
        Assert.Equal(before, await api.LeftBehindAsync());
        // Still serving: the next good upload goes through (and is removed, keeping the state comparable).
        if (request.Method == HttpMethod.Post)
        {
            await api.UploadAndDeleteAsync();
        }
    }

    private static HttpRequestMessage WithHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }
}

public sealed class HostileApiFactory : KestrelApiFactory
{
    private Guid? _seed;

    public async Task EnsureSeedAsync()
    {
        if (_seed is null)
        {
            using var client = Client("seed-owner");
            using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), RawForm.Valid("Seed").Close().ToContent());
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            _seed = Guid.Parse(System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
        }
    }

    /// <summary>A good upload right after a hostile one succeeds; deleting it (and waiting for its cleanup) restores the state.</summary>
    public async Task UploadAndDeleteAsync()
    {
        var before = await LeftBehindAsync();
        using var client = Client("hostile-user-1");
        using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), RawForm.Valid().Close().ToContent());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var location = response.Headers.Location!;
        using var delete = await client.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await Eventually.UntilAsync(async () => await LeftBehindAsync() == before, "the control upload's files are cleaned up");
    }
}
