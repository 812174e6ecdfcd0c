using System.Net;
using System.Text.Json;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.EditVideo;

[Collection(VideosApiGroup.Name)]
public sealed class PublishVideoTests(VideosApiFactory api)
{
    [Fact]
    public async Task An_unpublished_video_is_hidden_from_anonymous_and_other_users_and_shown_to_its_owner_and_admins()
    {
        using var owner = api.ClientFor("unpublish-owner");
        var uploaded = await owner.UploadValidAsync("Draft");
        var id = uploaded.GetProperty("id").GetGuid();
        Assert.True(uploaded.GetProperty("published").GetBoolean());

        using var unpublish = await owner.EditAsync(id, new { published = false });

        Assert.Equal(HttpStatusCode.OK, unpublish.StatusCode);
        Assert.False(JsonDocument.Parse(await unpublish.Content.ReadAsStringAsync()).RootElement.GetProperty("published").GetBoolean());
        using var stranger = api.ClientFor("unpublish-stranger");
        using var admin = api.ClientFor("unpublish-admin", admin: true);
        Assert.Equal(HttpStatusCode.NotFound, (await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.SendAsync(HttpMethod.Get, $"/api/videos/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.SendAsync(HttpMethod.Get, $"/api/videos/{id}/history")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.SendAsync(HttpMethod.Delete, $"/api/videos/{id}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await owner.SendAsync(HttpMethod.Get, $"/api/videos/{id}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Get, $"/api/videos/{id}")).Status);
        Assert.Empty(await ListedAsync(api.CreateClient()));
        Assert.Empty(await ListedAsync(stranger));
        Assert.Equal([id], await ListedAsync(owner));
        Assert.Equal([id], await ListedAsync(admin));

        using var publish = await owner.EditAsync(id, new { published = true });

        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        Assert.Equal([id], await ListedAsync(api.CreateClient()));
        var (_, history) = await owner.SendAsync(HttpMethod.Get, $"/api/videos/{id}/history");
        Assert.Equal(
            ["VideoUnpublished", "VideoPublished"],
            JsonDocument.Parse(history).RootElement.EnumerateArray().Select(e => e.GetProperty("type").GetString()).TakeLast(2));
    }

    private static async Task<IReadOnlyList<Guid>> ListedAsync(HttpClient client)
    {
        var (_, body) = await client.SendAsync(HttpMethod.Get, "/api/videos?ownerId=unpublish-owner");
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("id").GetGuid())];
    }
}
