using System.Net;
using System.Text.Json;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.EditVideo;

[Collection(VideosApiGroup.Name)]
public sealed class EditVideoTests(VideosApiFactory api)
{
    [Fact]
    public async Task The_owner_edits_title_and_description_and_the_history_shows_it()
    {
        using var client = api.ClientFor("edit-owner");
        var id = (await client.UploadValidAsync("Before")).GetProperty("id").GetGuid();
        using var before = await client.GetAsync(new Uri($"/api/videos/{id}", UriKind.Relative));

        using var response = await client.EditAsync(id, new { title = "After", description = "Now with a description." }, before.Headers.ETag?.Tag);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("\"4\"", before.Headers.ETag?.Tag);
        Assert.Equal("\"5\"", response.Headers.ETag?.Tag);
        Scrub.Json(body).MatchSnapshot(SnapshotNameExtension.Create("response"));
        var (_, got) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        Assert.Equal("After", JsonDocument.Parse(got).RootElement.GetProperty("title").GetString());
        var (_, history) = await client.SendAsync(HttpMethod.Get, $"/api/videos/{id}/history");
        var changed = JsonDocument.Parse(history).RootElement.EnumerateArray().Last();
        Assert.Equal("VideoDetailsChanged", changed.GetProperty("type").GetString());
        Assert.Equal("After", changed.GetProperty("data").GetProperty("title").GetString());
        Assert.Equal("edit-owner", changed.GetProperty("data").GetProperty("changedBy").GetString());
    }

    [Fact]
    public async Task A_stale_if_match_is_412_and_nothing_changes()
    {
        using var client = api.ClientFor("edit-stale");
        var id = (await client.UploadValidAsync("Original")).GetProperty("id").GetGuid();
        using var first = await client.EditAsync(id, new { title = "First edit" }, "\"4\"");

        using var second = await client.EditAsync(id, new { title = "Second edit", published = false }, "\"4\"");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var problem = await second.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Scrub.Json(problem.GetRawText()).MatchSnapshot(SnapshotNameExtension.Create("problem"));
        Assert.Equal("\"5\"", second.Headers.ETag?.Tag);
        var (_, got) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        var video = JsonDocument.Parse(got).RootElement;
        Assert.Equal("First edit", video.GetProperty("title").GetString());
        Assert.True(video.GetProperty("published").GetBoolean());
        var (_, history) = await client.SendAsync(HttpMethod.Get, $"/api/videos/{id}/history");
        Assert.Equal(
            ["VideoUploadStarted", "VideoFileStored", "VideoAnalyzed", "VideoReady", "VideoDetailsChanged"],
            JsonDocument.Parse(history).RootElement.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Without_if_match_the_change_applies_and_an_unchanged_edit_appends_nothing()
    {
        using var client = api.ClientFor("edit-no-etag");
        var id = (await client.UploadValidAsync("Same")).GetProperty("id").GetGuid();

        using var same = await client.EditAsync(id, new { title = "Same", published = true });
        using var changed = await client.EditAsync(id, new { description = "Only the description." });

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal("\"4\"", same.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("\"5\"", changed.Headers.ETag?.Tag);
        var video = JsonDocument.Parse(await changed.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Same", video.GetProperty("title").GetString());
        Assert.Equal("Only the description.", video.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Another_user_is_403_an_admin_may_anonymous_is_401_unknown_is_404()
    {
        var id = (await api.ClientFor("edit-owner-2").UploadValidAsync("Not yours")).GetProperty("id").GetGuid();

        using var stranger = await api.ClientFor("edit-stranger").EditAsync(id, new { title = "Mine now" });
        using var anonymous = await api.CreateClient().EditAsync(id, new { title = "Anyone's" });
        using var unknown = await api.ClientFor("edit-stranger").EditAsync(Guid.CreateVersion7(), new { title = "Nothing" });
        using var admin = await api.ClientFor("edit-admin", admin: true).EditAsync(id, new { title = "Moderated" });

        await stranger.AssertProblemAsync(HttpStatusCode.Forbidden);
        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        var (_, got) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        Assert.Equal("Moderated", JsonDocument.Parse(got).RootElement.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("tab\tin the title")]
    [InlineData(null)]
    public async Task An_invalid_title_is_400_problem_and_nothing_changes(string? title)
    {
        using var client = api.ClientFor("edit-invalid");
        var id = (await client.UploadValidAsync("Valid")).GetProperty("id").GetGuid();

        using var response = await client.EditAsync(id, new { title = title ?? new string('x', 201) });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["title"], problem.ErrorNames());
        var (_, got) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        Assert.Equal("Valid", JsonDocument.Parse(got).RootElement.GetProperty("title").GetString());
    }
}
