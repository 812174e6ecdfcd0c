using System.Net;
using System.Text.Json;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Media;

namespace Stremora.Modules.Videos.Tests.Media;

/// <summary>Every upload is analysed by ffprobe on its spool; a video sent without a thumbnail gets a poster frame.</summary>
public sealed class MediaAnalysisTests(MediaApi media) : IClassFixture<MediaApi>
{
    public static TheoryData<string, string, int, int, int, string, string?, string> Videos => new()
    {
        // name, file, width, height, rotation, video codec, audio codec, container (all 3 s long)
        { "mp4-moov-first", "moov-first.mp4", 640, 360, 0, "h264", "aac", "mp4" },
        { "mp4-moov-last", "moov-last.mp4", 640, 360, 0, "h264", "aac", "mp4" },
        { "fragmented-mp4", "fragmented.mp4", 320, 240, 0, "h264", "aac", "mp4" },
        { "webm", "vp9-opus.webm", 320, 240, 0, "vp9", "opus", "webm" },
        { "mov-rotated", "rotated-90.mov", 240, 320, 90, "h264", null, "mov" },
        { "no-audio", "no-audio.mp4", 480, 270, 0, "h264", null, "mp4" },
    };

    [Theory]
    [MemberData(nameof(Videos))]
    public async Task A_real_video_is_analysed_and_gets_a_poster_frame_of_its_aspect(string name, string file, int width, int height, int rotation, string videoCodec, string? audioCodec, string container)
    {
        using var client = media.Api.ClientFor("media-" + name);
        var bytes = Bytes(file);

        var created = await UploadAsync(client, name, bytes, file);

        var figures = created.GetProperty("media");
        Assert.InRange(figures.GetProperty("durationSeconds").GetDouble(), 2.9, 3.1);
        Assert.Equal(width, figures.GetProperty("width").GetInt32());
        Assert.Equal(height, figures.GetProperty("height").GetInt32());
        Assert.Equal(rotation, figures.GetProperty("rotation").GetInt32());
        Assert.Equal(videoCodec, figures.GetProperty("videoCodec").GetString());
        Assert.Equal(audioCodec, figures.GetProperty("audioCodec").GetString());
        Assert.Equal(container, figures.GetProperty("container").GetString());
        Assert.True(figures.GetProperty("frameRate").GetDouble() > 0);
        Assert.True(figures.GetProperty("bitRate").GetInt64() > 0);

        var thumbnail = created.GetProperty("thumbnail");
        Assert.Equal("generated", thumbnail.GetProperty("source").GetString());
        Assert.Equal("image/jpeg", thumbnail.GetProperty("contentType").GetString());
        var poster = await DownloadAsync(thumbnail.GetProperty("url").GetString()!);
        Assert.Equal([0xFF, 0xD8, 0xFF], poster[..3]);
        var (posterWidth, posterHeight) = TestVideos.PictureSize(poster) ?? throw new InvalidOperationException("The poster does not decode.");
        Assert.Equal((double)width / height, (double)posterWidth / posterHeight, 2);

        // The same figures from GET and in the list.
        var id = created.GetProperty("id").GetGuid();
        var got = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/videos/{id}", UriKind.Relative))).RootElement;
        Assert.Equal(figures.GetRawText(), got.GetProperty("media").GetRawText());
        var list = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/videos?ownerId=media-{name}", UriKind.Relative))).RootElement;
        Assert.Equal(figures.GetRawText(), list.GetProperty("items")[0].GetProperty("media").GetRawText());
        var history = await client.GetStringAsync(new Uri($"/api/videos/{id}/history", UriKind.Relative));
        Assert.Contains("\"type\":\"VideoAnalyzed\"", history, StringComparison.Ordinal);
    }

    public static TheoryData<string> Hostile => ["truncated", "ftyp-then-garbage", "audio-only", "jpeg-renamed-mp4"];

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_file_that_is_not_decodable_video_is_415_in_words_and_nothing_is_kept(string name)
    {
        var bytes = name switch
        {
            "truncated" => MediaFiles.TruncatedMp4(),
            "ftyp-then-garbage" => MediaFiles.FtypThenGarbage(),
            "audio-only" => MediaFiles.AudioOnlyMp4(),
            _ => MediaFiles.JpegRenamedMp4(),
        };
        using var client = media.Api.ClientFor("hostile-" + name);
        var before = await media.StoredFileCountAsync();

        using var response = await client.UploadAsync(UploadForm.Valid("Hostile " + name, bytes));

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(name switch
        {
            "audio-only" => "no video stream",
            "jpeg-renamed-mp4" => "not a video",
            _ => "cannot be decoded",
        }, detail, StringComparison.Ordinal);
        Assert.Equal(before, await media.StoredFileCountAsync());
        Assert.Empty(media.Api.SpoolFiles());
        var list = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/videos?ownerId=hostile-{name}", UriKind.Relative))).RootElement;
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_failover_to_s3_still_records_media_and_a_generated_poster()
    {
        using var client = media.Api.ClientFor("media-failover");
        media.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        JsonElement created;
        try
        {
            created = await UploadAsync(client, "Failed over with a poster", MediaFiles.Mp4MoovFirst(), "clip.mp4");
        }
        finally
        {
            media.Cloudinary.Faults.Clear();
        }

        Assert.Equal("s3", created.GetProperty("video").GetProperty("provider").GetString());
        Assert.Equal("s3", created.GetProperty("thumbnail").GetProperty("provider").GetString());
        Assert.Equal(
            [("video", "cloudinary", "failed"), ("video", "s3", "stored"), ("thumbnail", "cloudinary", "failed"), ("thumbnail", "s3", "stored")],
            created.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("file").GetString(), a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString())));
        var poster = await DownloadAsync(created.GetProperty("thumbnail").GetProperty("url").GetString()!);
        Assert.NotNull(TestVideos.PictureSize(poster));

        // The poster's bytes (and so its SHA-256) depend on the encoder's build: pinned are its presence and type.
        var snapshot = Scrub.Json(MaintenanceApiFactory.ScrubUrls(created.GetRawText()));
        snapshot["thumbnail"]!["bytes"] = 0;
        snapshot["thumbnail"]!["sha256"] = "<jpeg>";
        snapshot["media"]!["bitRate"] = 0;
        foreach (var error in snapshot.SelectTokens("$.attempts[*].error"))
        {
            ((Newtonsoft.Json.Linq.JValue)error).Value = "<cloudinary error>";
        }

        snapshot.MatchSnapshot(SnapshotNameExtension.Create("created"));
    }

    [Fact]
    public async Task A_video_sent_with_a_thumbnail_keeps_it_as_uploaded()
    {
        using var client = media.Api.ClientFor("media-thumbnail");
        var thumbnail = MediaFiles.JpegRenamedMp4();

        using var response = await client.UploadAsync(UploadForm.Valid("With its own thumbnail", MediaFiles.Mp4WithoutAudio()).File("thumbnail", thumbnail, "image/jpeg", "t.jpg"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var created = JsonDocument.Parse(body).RootElement;
        Assert.Equal("uploaded", created.GetProperty("thumbnail").GetProperty("source").GetString());
        Assert.Equal(Samples.Sha256(thumbnail), created.GetProperty("thumbnail").GetProperty("sha256").GetString());
    }

    private static byte[] Bytes(string file) => file switch
    {
        "moov-first.mp4" => MediaFiles.Mp4MoovFirst(),
        "moov-last.mp4" => MediaFiles.Mp4MoovLast(),
        "fragmented.mp4" => MediaFiles.FragmentedMp4(),
        "vp9-opus.webm" => MediaFiles.WebmVp9Opus(),
        "rotated-90.mov" => MediaFiles.MovRotated90(),
        _ => MediaFiles.Mp4WithoutAudio(),
    };

    private static async Task<JsonElement> UploadAsync(HttpClient client, string title, byte[] bytes, string fileName)
    {
        var contentType = Path.GetExtension(fileName) switch
        {
            ".webm" => "video/webm",
            ".mov" => "video/quicktime",
            _ => "video/mp4",
        };
        using var response = await client.UploadAsync(new UploadForm().Field("title", title).File("video", bytes, contentType, fileName));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Upload answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<byte[]> DownloadAsync(string url)
    {
        using var browser = new HttpClient();
        return await browser.GetByteArrayAsync(new Uri(url));
    }
}
