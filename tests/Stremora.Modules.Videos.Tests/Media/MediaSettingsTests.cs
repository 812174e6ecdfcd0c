using System.Net;
using System.Text.Json;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.Media;

/// <summary>An ffmpeg that never finishes a poster frame: a script that outlives the poster's one-second budget.</summary>
public sealed class StalledPosterApi : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"stremora-stalled-ffmpeg-{Guid.NewGuid():N}");

    public VideosApiFactory Api { get; } = new();

    public async Task InitializeAsync()
    {
        var ffmpeg = await StalledFfmpeg.WriteAsync(_folder);
        Api.With("Media:Posters", "true").With("Media:FfmpegPath", ffmpeg).With("Media:PosterTimeoutSeconds", "1");
        await Api.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>Analysis turned off, with no ffprobe or ffmpeg where the settings point.</summary>
public sealed class AnalysisOffApi : IAsyncLifetime
{
    public VideosApiFactory Api { get; } = new();

    public async Task InitializeAsync()
    {
        Api.With("Media:Analyze", "false").With("Media:FfprobePath", "/nowhere/ffprobe").With("Media:FfmpegPath", "/nowhere/ffmpeg");
        await Api.InitializeAsync();
    }

    public Task DisposeAsync() => Api.DisposeAsync();
}

public sealed class PosterFailureTests(StalledPosterApi stalled) : IClassFixture<StalledPosterApi>
{
    [Fact]
    public async Task A_poster_frame_that_runs_out_of_time_leaves_the_video_ready_without_a_thumbnail_and_says_why_on_its_history()
    {
        using var client = stalled.Api.ClientFor("poster-timeout");

        var created = await client.UploadValidAsync("No poster in time", MediaFiles.Mp4WithoutAudio());

        Assert.Equal("ready", created.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("thumbnail").ValueKind);
        Assert.Equal(480, created.GetProperty("media").GetProperty("width").GetInt32());
        var id = created.GetProperty("id").GetGuid();
        var history = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/videos/{id}/history", UriKind.Relative))).RootElement;
        var failed = Assert.Single(history.EnumerateArray(), e => e.GetProperty("type").GetString() == "VideoPosterFailed");
        Assert.Equal("the poster frame could not be made within 1 s", failed.GetProperty("data").GetProperty("reason").GetString());
        Assert.Empty(stalled.Api.SpoolFiles());
    }
}

public sealed class AnalysisOffTests(AnalysisOffApi off) : IClassFixture<AnalysisOffApi>
{
    [Fact]
    public async Task With_analysis_off_the_service_starts_without_the_binaries_and_media_stays_null()
    {
        using var client = off.Api.ClientFor("analysis-off");

        using var response = await client.UploadAsync(UploadForm.Valid("Not analysed", Samples.Mp4(6000, seed: 5)));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var created = JsonDocument.Parse(body).RootElement;
        Assert.Equal(JsonValueKind.Null, created.GetProperty("media").ValueKind);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("thumbnail").ValueKind);
        var history = await client.GetStringAsync(new Uri($"/api/videos/{created.GetProperty("id").GetGuid()}/history", UriKind.Relative));
        Assert.DoesNotContain("VideoAnalyzed", history, StringComparison.Ordinal);
    }
}
