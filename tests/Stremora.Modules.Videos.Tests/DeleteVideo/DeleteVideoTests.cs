using System.Net;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.DeleteVideo;

[Collection(VideosApiGroup.Name)]
public sealed class DeleteVideoTests(VideosApiFactory api)
{
    [Fact]
    public async Task Another_users_delete_is_403_and_the_video_stays()
    {
        var video = await api.ClientFor("delete-owner").UploadValidAsync("Mine");
        var id = video.GetProperty("id").GetGuid();

        using var response = await api.ClientFor("delete-stranger").DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Scrub.Json(problem.GetRawText()).MatchSnapshot(SnapshotNameExtension.Create("problem"));
        var (status, _) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(api.StoredFiles(), f => f.Contains(id.ToString("N"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_admin_may_delete_anyones_video_and_the_stream_says_so()
    {
        var video = await api.ClientFor("delete-owner-2").UploadValidAsync("Not the admin's");
        var id = video.GetProperty("id").GetGuid();

        using var response = await api.ClientFor("the-admin", admin: true).DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var (_, history) = await api.ClientFor("delete-owner-2").SendAsync(HttpMethod.Get, $"/api/videos/{id}/history");
        Assert.Contains("\"deletedBy\":\"the-admin\",\"byAdmin\":true", history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_video_is_404()
    {
        using var response = await api.ClientFor("delete-nobody").DeleteAsync(new Uri($"/api/videos/{Guid.CreateVersion7()}", UriKind.Relative));
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_twice_is_404_the_second_time()
    {
        using var client = api.ClientFor("delete-twice");
        var id = (await client.UploadValidAsync("Twice")).GetProperty("id").GetGuid();

        using var first = await client.DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
        using var second = await client.DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        await second.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Anonymous_delete_is_401_problem()
    {
        using var response = await api.CreateClient().DeleteAsync(new Uri($"/api/videos/{Guid.CreateVersion7()}", UriKind.Relative));
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
