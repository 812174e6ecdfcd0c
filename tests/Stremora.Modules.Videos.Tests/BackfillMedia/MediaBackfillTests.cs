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
    public async Task Old_videos_on_every_provider_get_their_media_once_and_one_that_cannot_be_read_does_not_stop_the_run()
    {
        using var admin = backfill.Api.ClientFor("backfill-admin", admin: true);
        using var owner = backfill.Api.ClientFor("backfill-owner");
        Assert.Equal(["cloudinary", "s3", "local"], backfill.OldVideos.Select(v => v.Provider()));
        Assert.All(backfill.OldVideos, v => Assert.Equal(JsonValueKind.Null, v.GetProperty("media").ValueKind));

        using var response = await admin.PostAsync(new Uri("/api/admin/media/analyze", UriKind.Relative), null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()));

        foreach (var old in backfill.OldVideos)
        {
            JsonElement media = default;
            await Eventually.UntilAsync(
                async () =>
                {
                    var got = JsonDocument.Parse(await owner.GetStringAsync(new Uri($"/api/videos/{old.Id()}", UriKind.Relative))).RootElement;
                    media = got.GetProperty("media").Clone();
                    return media.ValueKind == JsonValueKind.Object;
                },
                $"the {old.Provider()} video has media");
            Assert.InRange(media.GetProperty("durationSeconds").GetDouble(), TestVideos.ClipSeconds - 0.1, TestVideos.ClipSeconds + 0.1);
            Assert.Equal("h264", media.GetProperty("videoCodec").GetString());
            Assert.Equal("mp4", media.GetProperty("container").GetString());
            var history = await owner.GetStringAsync(new Uri($"/api/videos/{old.Id()}/history", UriKind.Relative));
            Assert.Single(JsonDocument.Parse(history).RootElement.EnumerateArray(), e => e.GetProperty("type").GetString() == "VideoAnalyzed");
        }

        var vanished = JsonDocument.Parse(await owner.GetStringAsync(new Uri($"/api/videos/{backfill.Vanished.Id()}", UriKind.Relative))).RootElement;
        Assert.Equal(JsonValueKind.Null, vanished.GetProperty("media").ValueKind);

        // A second run finds only the video it cannot read, and appends nothing to any stream.
        var versions = await VersionsAsync([.. backfill.OldVideos.Select(v => v.Id()), backfill.Vanished.Id()]);
        var again = await backfill.Api.Services.GetRequiredService<MediaBackfillJob>().RunAsync(CancellationToken.None);
        Assert.Equal(new MediaBackfillReport(Analyzed: 0, Skipped: 0, Failed: 1), again);
        Assert.Equal(versions, await VersionsAsync([.. backfill.OldVideos.Select(v => v.Id()), backfill.Vanished.Id()]));
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
