using System.Net;
using System.Text.Json;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.ListVideos;

[Collection(VideosApiGroup.Name)]
public sealed class ListTotalTests(VideosApiFactory api)
{
    [Fact]
    public async Task Every_page_of_a_cursor_walk_answers_the_total_its_first_page_counted_even_when_a_video_is_added_meanwhile()
    {
        const string owner = "total-walk";
        using var client = api.ClientFor(owner);
        foreach (var title in new[] { "one", "two", "three" })
        {
            await client.UploadValidAsync(title);
        }

        var first = await PageAsync(api.CreateClient(), $"ownerId={owner}&pageSize=1");
        var second = await PageAsync(api.CreateClient(), $"ownerId={owner}&pageSize=1&cursor={Uri.EscapeDataString(first.NextCursor!)}");
        await client.UploadValidAsync("four");
        var third = await PageAsync(api.CreateClient(), $"ownerId={owner}&pageSize=1&cursor={Uri.EscapeDataString(second.NextCursor!)}");
        var again = await PageAsync(api.CreateClient(), $"ownerId={owner}&pageSize=1");

        Assert.Equal([3L, 3L, 3L], new[] { first.Total, second.Total, third.Total });
        // The walk is keyset-paged newest first: the video added behind its cursor is not in it, and its total says so.
        Assert.Equal(["three", "two", "one"], new[] { first, second, third }.SelectMany(p => p.Titles));
        Assert.Null(third.NextCursor);
        Assert.Equal(4, again.Total);
        Assert.Equal(["four"], again.Titles);
    }

    [Fact]
    public async Task The_total_counts_unpublished_videos_only_for_their_owner_and_admins()
    {
        const string owner = "total-unpublished";
        using var client = api.ClientFor(owner);
        await client.UploadValidAsync("shown");
        await client.UploadValidAsync("also shown");
        var hidden = (await client.UploadValidAsync("hidden")).GetProperty("id").GetGuid();
        using var unpublish = await client.EditAsync(hidden, new { published = false });
        Assert.Equal(HttpStatusCode.OK, unpublish.StatusCode);
        using var stranger = api.ClientFor("total-stranger");
        using var admin = api.ClientFor("total-admin", admin: true);

        Assert.Equal(2, (await PageAsync(api.CreateClient(), $"ownerId={owner}")).Total);
        Assert.Equal(2, (await PageAsync(stranger, $"ownerId={owner}")).Total);
        Assert.Equal(3, (await PageAsync(client, $"ownerId={owner}")).Total);
        Assert.Equal(3, (await PageAsync(admin, $"ownerId={owner}")).Total);
        Assert.Equal(0, (await PageAsync(client, "ownerId=total-stranger")).Total);
        var everyone = (await PageAsync(api.CreateClient(), "pageSize=1")).Total;
        Assert.Equal(everyone + 1, (await PageAsync(client, "pageSize=1")).Total);
        Assert.Equal(everyone, (await PageAsync(stranger, "pageSize=1")).Total);
    }

    private static async Task<Page> PageAsync(HttpClient client, string query)
    {
        var (status, body) = await client.SendAsync(HttpMethod.Get, "/api/videos?" + query);
        Assert.True(status == HttpStatusCode.OK, body);
        var page = JsonDocument.Parse(body).RootElement;
        return new Page(
            page.GetProperty("total").GetInt64(),
            [.. page.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("title").GetString()!)],
            page.GetProperty("nextCursor").GetString());
    }

    private sealed record Page(long Total, IReadOnlyList<string> Titles, string? NextCursor);
}
