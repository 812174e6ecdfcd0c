using System.Net;
using System.Text.Json;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.VideoHistory;

[Collection(VideosApiGroup.Name)]
public sealed class VideoHistoryTests(VideosApiFactory api)
{
    [Fact]
    public async Task The_owner_sees_the_events_in_order()
    {
        using var client = api.ClientFor("history-owner");
        var id = (await client.UploadValidAsync("History")).GetProperty("id").GetGuid();

        var (status, body) = await client.SendAsync(HttpMethod.Get, $"/api/videos/{id}/history");

        Assert.Equal(HttpStatusCode.OK, status);
        var entries = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
        Assert.Equal(["VideoUploadStarted", "VideoFileStored", "VideoAnalyzed", "VideoReady"], entries.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L, 3L, 4L], entries.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal("local", entries[1].GetProperty("data").GetProperty("provider").GetString());
    }

    [Fact]
    public async Task Another_user_is_403_an_admin_is_not()
    {
        var id = (await api.ClientFor("history-owner-2").UploadValidAsync("Private history")).GetProperty("id").GetGuid();

        using var stranger = await api.ClientFor("history-stranger").GetAsync(new Uri($"/api/videos/{id}/history", UriKind.Relative));
        using var admin = await api.ClientFor("history-admin", admin: true).GetAsync(new Uri($"/api/videos/{id}/history", UriKind.Relative));

        await stranger.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task Unknown_video_is_404_and_anonymous_is_401()
    {
        using var unknown = await api.ClientFor("history-x").GetAsync(new Uri($"/api/videos/{Guid.CreateVersion7()}/history", UriKind.Relative));
        using var anonymous = await api.CreateClient().GetAsync(new Uri($"/api/videos/{Guid.CreateVersion7()}/history", UriKind.Relative));

        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
