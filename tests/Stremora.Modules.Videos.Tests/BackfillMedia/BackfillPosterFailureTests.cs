using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Videos.BackfillMedia;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.BackfillMedia;

/// <summary>
/// An old video on local disk (stored with <c>Media:Analyze=false</c>), then a host with analysis and posters on whose
/// ffmpeg never finishes a frame within the poster's one-second budget.
/// </summary>
public sealed class StalledBackfillPosterApi : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"stremora-stalled-ffmpeg-{Guid.NewGuid():N}");

    public VideosApiFactory Api { get; } = new();

    public JsonElement Old { get; private set; }

    public async Task InitializeAsync()
    {
        var ffmpeg = await StalledFfmpeg.WriteAsync(_folder);
        Api.With("Media:Posters", "true").With("Media:FfmpegPath", ffmpeg).With("Media:PosterTimeoutSeconds", "1");
        await Api.InitializeAsync();
        await using (var old = new VideosApiFactory())
        {
            old.With("ConnectionStrings:Postgres", Api.ConnectionString).With("Storage:Local:Root", Api.LocalStorageRoot).With("Media:Analyze", "false");
            await old.InitializeAsync();
            using var owner = old.ClientFor("stalled-backfill-owner");
            Old = await owner.UploadValidAsync("Old, its poster never comes", Samples.Mp4(3000, seed: 96));
        }

        Api.StartKestrel();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class BackfillPosterFailureTests(StalledBackfillPosterApi stalled) : IClassFixture<StalledBackfillPosterApi>
{
    [Fact]
    public async Task A_poster_the_back_fill_cannot_make_leaves_the_media_and_the_reason_on_history_and_is_not_tried_again()
    {
        using var admin = stalled.Api.ClientFor("stalled-backfill-admin", admin: true);
        using var owner = stalled.Api.ClientFor("stalled-backfill-owner");

        using (var response = await admin.PostAsync(new Uri("/api/admin/media/analyze", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        JsonElement got = default;
        await Eventually.UntilAsync(
            async () =>
            {
                got = JsonDocument.Parse(await owner.GetStringAsync(new Uri($"/api/videos/{stalled.Old.Id()}", UriKind.Relative))).RootElement.Clone();
                return got.GetProperty("media").ValueKind == JsonValueKind.Object;
            },
            "the old video has media");

        Assert.Equal("ready", got.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, got.GetProperty("thumbnail").ValueKind);
        var history = JsonDocument.Parse(await owner.GetStringAsync(new Uri($"/api/videos/{stalled.Old.Id()}/history", UriKind.Relative))).RootElement;
        var failed = Assert.Single(history.EnumerateArray(), e => e.GetProperty("type").GetString() == "VideoPosterFailed");
        Assert.Equal("the poster frame could not be made within 1 s", failed.GetProperty("data").GetProperty("reason").GetString());

        // The failure is on record: a second run leaves the video alone.
        var version = history.EnumerateArray().Max(e => e.GetProperty("version").GetInt64());
        var again = await stalled.Api.Services.GetRequiredService<MediaBackfillJob>().RunAsync(CancellationToken.None);
        Assert.Equal(new MediaBackfillReport(Analyzed: 0, Posters: 0, PostersFailed: 0, Skipped: 0, Failed: 0), again);
        var after = JsonDocument.Parse(await owner.GetStringAsync(new Uri($"/api/videos/{stalled.Old.Id()}/history", UriKind.Relative))).RootElement;
        Assert.Equal(version, after.EnumerateArray().Max(e => e.GetProperty("version").GetInt64()));
    }
}
