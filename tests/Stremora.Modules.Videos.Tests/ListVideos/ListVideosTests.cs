using System.Net;
using System.Text.Json;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.ListVideos;

[Collection(VideosApiGroup.Name)]
public sealed class ListVideosTests(VideosApiFactory api)
{
    [Fact]
    public async Task Pages_are_newest_first_with_the_total()
    {
        using var client = api.ClientFor("list-pages");
        foreach (var title in new[] { "first", "second", "third" })
        {
            await client.UploadValidAsync(title);
        }

        var (status, body) = await api.CreateClient().SendAsync(HttpMethod.Get, "/api/videos?ownerId=list-pages&page=1&pageSize=2");
        var (_, secondPage) = await api.CreateClient().SendAsync(HttpMethod.Get, "/api/videos?ownerId=list-pages&page=2&pageSize=2");

        Assert.Equal(HttpStatusCode.OK, status);
        var page = JsonDocument.Parse(body).RootElement;
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(1, page.GetProperty("page").GetInt32());
        Assert.Equal(2, page.GetProperty("pageSize").GetInt32());
        Assert.Equal(["third", "second"], page.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("title").GetString()));
        Assert.Equal(["first"], JsonDocument.Parse(secondPage).RootElement.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task Failed_uploads_are_not_listed()
    {
        using var client = api.ClientFor("list-failed");
        using var rejected = await client.UploadAsync(new UploadForm().File("video", Samples.Mp4(), "video/mp4", "no-title.mp4"));
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);

        var (_, body) = await api.CreateClient().SendAsync(HttpMethod.Get, "/api/videos?ownerId=list-failed");

        Assert.Equal(0, JsonDocument.Parse(body).RootElement.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=101")]
    [InlineData("page=abc")]
    public async Task Bad_paging_is_400_problem(string query)
    {
        using var response = await api.CreateClient().GetAsync(new Uri($"/api/videos?{query}", UriKind.Relative));
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        if (query == "pageSize=101")
        {
            Scrub.Json(problem.GetRawText()).MatchSnapshot(SnapshotNameExtension.Create("problem"));
        }
    }
}
