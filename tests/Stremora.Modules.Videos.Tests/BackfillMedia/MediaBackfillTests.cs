using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Videos.BackfillMedia;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.Media;

namespace Stremora.Modules.Videos.Tests.BackfillMedia;

/// <summary>Videos stored before analysis existed get their media from the admin back-fill, read from their provider's URL.</summary>
public sealed class MediaBackfillTests(BackfillApi backfill) : IClassFixture<BackfillApi>
{
    [Fact]
    public async Task Old_videos_on_every_provider_get_their_media_and_a_poster_once_and_one_that_cannot_be_read_does_not_stop_the_run()
    {
        using var admin = backfill.Api.ClientFor("backfill-admin", admin: true);
        using var owner = backfill.Api.ClientFor("backfill-owner");
        Assert.Equal(["cloudinary", "s3", "local"], backfill.OldVideos.Select(v => v.Provider()));
        Assert.All(backfill.OldVideos, v => Assert.Equal(JsonValueKind.Null, v.GetProperty("media").ValueKind));
        Assert.All([.. backfill.OldVideos, backfill.Unpostered], v => Assert.Equal(JsonValueKind.Null, v.GetProperty("thumbnail").ValueKind));
        Assert.Equal(JsonValueKind.Object, backfill.Unpostered.GetProperty("media").ValueKind);

        using var response = await admin.PostAsync(new Uri("/api/admin/media/analyze", UriKind.Relative), null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()));

        foreach (var old in backfill.OldVideos.Append(backfill.Unpostered))
        {
            JsonElement got = default;
            await Eventually.UntilAsync(
                async () =>
                {
                    got = JsonDocument.Parse(await owner.GetStringAsync(new Uri($"/api/videos/{old.Id()}", UriKind.Relative))).RootElement.Clone();
                    return got.GetProperty("media").ValueKind == JsonValueKind.Object && got.GetProperty("thumbnail").ValueKind == JsonValueKind.Object;
                },
                $"the video '{old.GetProperty("title").GetString()}' has media and a thumbnail");
            var media = got.GetProperty("media");
            Assert.InRange(media.GetProperty("durationSeconds").GetDouble(), TestVideos.ClipSeconds - 0.1, TestVideos.ClipSeconds + 0.1);
            Assert.Equal("h264", media.GetProperty("videoCodec").GetString());
            Assert.Equal("mp4", media.GetProperty("container").GetString());

            // The poster went through the chain as an uploaded thumbnail does: its first provider, Cloudinary, took it.
            var thumbnail = got.GetProperty("thumbnail");
            Assert.Equal("generated", thumbnail.GetProperty("source").GetString());
            Assert.Equal("cloudinary", thumbnail.GetProperty("provider").GetString());
            Assert.Equal("image/jpeg", thumbnail.GetProperty("contentType").GetString());
            Assert.Contains(got.GetProperty("attempts").EnumerateArray(), a => a.GetProperty("file").GetString() == "thumbnail" && a.GetProperty("outcome").GetString() == "stored");
            using var browser = new HttpClient();
            var poster = await browser.GetByteArrayAsync(new Uri(thumbnail.GetProperty("url").GetString()!));
            var (width, height) = TestVideos.PictureSize(poster) ?? throw new Xunit.Sdk.XunitException("The poster is not a picture ffprobe can read.");
            Assert.Equal(media.GetProperty("width").GetDouble() / media.GetProperty("height").GetDouble(), (double)width / height, 2);

            var history = JsonDocument.Parse(await owner.GetStringAsync(new Uri($"/api/videos/{old.Id()}/history", UriKind.Relative))).RootElement;
            Assert.Single(history.EnumerateArray(), e => e.GetProperty("type").GetString() == "VideoAnalyzed");
            Assert.Equal(2, history.EnumerateArray().Count(e => e.GetProperty("type").GetString() == "VideoFileStored"));
        }

        var vanished = JsonDocument.Parse(await owner.GetStringAsync(new Uri($"/api/videos/{backfill.Vanished.Id()}", UriKind.Relative))).RootElement;
        Assert.Equal(JsonValueKind.Null, vanished.GetProperty("media").ValueKind);
        Assert.Equal(JsonValueKind.Null, vanished.GetProperty("thumbnail").ValueKind);

        // A second run finds only the video it cannot read, makes no second poster and appends nothing to any stream.
        var all = backfill.OldVideos.Append(backfill.Unpostered).Append(backfill.Vanished).Select(v => v.Id()).ToList();
        var versions = await VersionsAsync(all);
        var assets = backfill.Cloudinary.Assets.Count;
        var again = await backfill.Api.Services.GetRequiredService<MediaBackfillJob>().RunAsync(CancellationToken.None);
        Assert.Equal(new MediaBackfillReport(Analyzed: 0, Posters: 0, PostersFailed: 0, Skipped: 0, Failed: 1), again);
        Assert.Equal(versions, await VersionsAsync(all));
        Assert.Equal(assets, backfill.Cloudinary.Assets.Count);
    }

    [Fact]
    public async Task Only_an_admin_may_start_the_back_fill()
    {
        using var user = backfill.Api.ClientFor("backfill-owner");
        using var anonymous = backfill.Api.CreateClient();

        using var forbidden = await user.PostAsync(new Uri("/api/admin/media/analyze", UriKind.Relative), null);
        using var unauthorized = await anonymous.PostAsync(new Uri("/api/admin/media/analyze", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
    }

    private async Task<List<long>> VersionsAsync(IEnumerable<Guid> ids)
    {
        await using var session = backfill.Api.Store.QuerySession();
        var versions = new List<long>();
        foreach (var id in ids)
        {
            versions.Add((await session.Events.FetchStreamStateAsync(id))!.Version);
        }

        return versions;
    }
}
