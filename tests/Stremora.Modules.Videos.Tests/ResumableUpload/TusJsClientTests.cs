using System.Net;
using Stremora.TestKit.Host;
using Stremora.TestKit.Tus;

namespace Stremora.Modules.Videos.Tests.ResumableUpload;

/// <summary>The real tus-js-client (npm, 4.3.1) uploading to the real host: a whole upload, and one aborted then resumed.</summary>
public sealed class TusJsClientTests(UploadsApiFactory api) : IClassFixture<UploadsApiFactory>, IDisposable
{
    private const string Owner = "tus-js-owner";
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"stremora-tus-{Guid.NewGuid():N}.mp4");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task Tus_js_client_uploads_a_video_that_becomes_ready_with_the_same_sha256()
    {
        var video = Samples.Mp4(3 * 1024 * 1024 + 123);
        await File.WriteAllBytesAsync(_file, video);

        var run = await UploadAsync(chunkSize: 1024 * 1024);

        Assert.True(run.Succeeded, run.ToString());
        Assert.Equal(["POST", "PATCH", "PATCH", "PATCH", "PATCH"], run.Methods);
        var ready = await ReadyAsync(run.Url!);
        Assert.Equal(Samples.Sha256(video), ready.GetProperty("video").GetProperty("sha256").GetString());
        Assert.Equal("A tus-js-client upload", ready.GetProperty("title").GetString());
        Assert.Empty(api.StagedFiles());
    }

    [Fact]
    public async Task An_upload_aborted_at_40_percent_resumes_from_the_servers_offset_to_the_same_sha256()
    {
        var video = Samples.Mp4(4 * 1024 * 1024, seed: 9);
        await File.WriteAllBytesAsync(_file, video);

        var aborted = await UploadAsync(chunkSize: 256 * 1024, abortAtFraction: 0.4);
        Assert.True(aborted.Events.Any(e => e.GetProperty("event").GetString() == "aborted"), aborted.ToString());
        Assert.False(aborted.Succeeded);
        var acknowledged = aborted.Acknowledged.Max();
        Assert.InRange(acknowledged, 1, video.Length - 1);

        var resumed = await UploadAsync(chunkSize: 256 * 1024, uploadUrl: aborted.Url);

        Assert.True(resumed.Succeeded, resumed.ToString());
        Assert.Equal("HEAD", resumed.Methods[0]);
        Assert.DoesNotContain("POST", resumed.Methods);
        // It went on from what the server had, never from the start: nothing acknowledged was sent twice.
        Assert.True(resumed.PatchOffsets[0] >= acknowledged, $"resumed at {resumed.PatchOffsets[0]}, {acknowledged} had been acknowledged");
        var ready = await ReadyAsync(resumed.Url!);
        Assert.Equal(Samples.Sha256(video), ready.GetProperty("video").GetProperty("sha256").GetString());
    }

    private Task<TusRun> UploadAsync(long chunkSize, string? uploadUrl = null, double? abortAtFraction = null) =>
        TusJsClient.UploadAsync(
            api.Endpoint,
            TestTokens.For(Owner),
            _file,
            new Dictionary<string, string> { ["title"] = "A tus-js-client upload", ["filename"] = "clip.mp4", ["filetype"] = "video/mp4" },
            chunkSize,
            uploadUrl,
            abortAtFraction);

    private async Task<System.Text.Json.JsonElement> ReadyAsync(string url)
    {
        using var client = api.TusClient(Owner);
        var video = await client.VideoAsync(TusHttp.IdOf(new Uri(url).AbsolutePath));
        Assert.Equal("ready", video.GetProperty("status").GetString());
        return video;
    }
}
