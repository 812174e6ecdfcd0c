using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Marten;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.GetVideo;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.UploadVideo;

[Collection(VideosApiGroup.Name)]
public sealed class UploadVideoTests(VideosApiFactory api)
{
    [Fact]
    public async Task Missing_title_after_the_video_is_400_and_the_stored_video_is_removed()
    {
        const string owner = "upload-missing-title";
        var leftovers = Leftovers.Before(api, owner);
        using var client = api.ClientFor(owner);

        using var response = await client.UploadAsync(new UploadForm().File("video", Samples.Mp4(), "video/mp4", "clip.mp4"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("title", problem.ErrorNames());
        Scrub.Json(problem.GetRawText()).MatchSnapshot(SnapshotNameExtension.Create("problem"));
        await leftovers.AssertNoneAsync();
    }

    [Fact]
    public async Task Title_over_200_characters_is_400_before_anything_is_stored()
    {
        const string owner = "upload-long-title";
        var leftovers = Leftovers.Before(api, owner);
        using var client = api.ClientFor(owner);

        using var response = await client.UploadAsync(UploadForm.Valid(new string('t', 201)));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["title must be at most 200 characters."], problem.ErrorReasons("title"));
        await leftovers.AssertNoneAsync();
    }

    [Fact]
    public async Task Missing_video_is_400()
    {
        const string owner = "upload-no-video";
        var leftovers = Leftovers.Before(api, owner);
        using var client = api.ClientFor(owner);

        using var response = await client.UploadAsync(new UploadForm().Field("title", "Where is the file"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("video", problem.ErrorNames());
        await leftovers.AssertNoneAsync();
    }

    [Fact]
    public async Task Empty_video_is_400()
    {
        const string owner = "upload-empty-video";
        var leftovers = Leftovers.Before(api, owner);
        using var client = api.ClientFor(owner);

        using var response = await client.UploadAsync(new UploadForm().Field("title", "Empty").File("video", [], "video/mp4", "empty.mp4"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["video is empty."], problem.ErrorReasons("video"));
        await leftovers.AssertNoneAsync();
    }

    [Fact]
    public async Task Text_declared_as_video_mp4_is_415()
    {
        const string owner = "upload-not-a-video";
        var leftovers = Leftovers.Before(api, owner);
        using var client = api.ClientFor(owner);

        using var response = await client.UploadAsync(new UploadForm().Field("title", "Sneaky").File("video", Samples.NotAVideo(), "video/mp4", "sneaky.mp4"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Scrub.Json(problem.GetRawText()).MatchSnapshot(SnapshotNameExtension.Create("problem"));
        await leftovers.AssertNoneAsync();
    }

    [Fact]
    public async Task Thumbnail_that_is_not_an_image_is_415_and_the_stored_video_is_removed()
    {
        const string owner = "upload-bad-thumbnail";
        var leftovers = Leftovers.Before(api, owner);
        using var client = api.ClientFor(owner);

        using var response = await client.UploadAsync(UploadForm.Valid("Bad thumbnail").File("thumbnail", Samples.Mp4(), "image/jpeg", "thumb.jpg"));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await leftovers.AssertNoneAsync();
    }

    [Fact]
    public async Task Content_length_over_the_limit_is_413_before_the_body_is_read()
    {
        const string owner = "upload-huge";
        var leftovers = Leftovers.Before(api, owner);
        using var client = api.ClientFor(owner);
        var huge = Samples.Mp4((int)(VideosApiFactory.MaxVideoBytes + VideosApiFactory.MaxThumbnailBytes + (2 * 1024 * 1024)));

        using var response = await client.UploadAsync(UploadForm.Valid("Huge", huge));

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await leftovers.AssertNoneAsync();
    }

    [Fact]
    public async Task Video_over_the_limit_is_413_as_soon_as_the_stream_passes_it()
    {
        const string owner = "upload-too-long-video";
        var leftovers = Leftovers.Before(api, owner);
        using var client = api.ClientFor(owner);
        // Small enough for the Content-Length check (video + thumbnail + form allowance), too big for the video limit.
        var tooBig = Samples.Mp4((int)VideosApiFactory.MaxVideoBytes + (32 * 1024));

        using var response = await client.UploadAsync(UploadForm.Valid("Too long", tooBig));

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("video", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await leftovers.AssertNoneAsync();
    }

    [Fact]
    public async Task Anonymous_upload_is_401_problem()
    {
        using var response = await api.CreateClient().UploadAsync(UploadForm.Valid());
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_body_that_is_not_a_form_is_415()
    {
        using var client = api.ClientFor("upload-json");
        using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), new StringContent("{\"title\":\"x\"}", Encoding.UTF8, "application/json"));
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Client_file_names_never_become_storage_keys()
    {
        using var client = api.ClientFor("upload-evil-name");
        using var response = await client.UploadAsync(new UploadForm().Field("title", "Evil name").File("video", Samples.Mp4(), "video/mp4", "../../etc/passwd.mp4"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var video = JsonDocument.Parse(body).RootElement;
        Assert.Equal($"videos/{video.GetProperty("id").GetGuid():N}/video.mp4", video.GetProperty("video").GetProperty("locator").GetString());
        Assert.DoesNotContain("passwd", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fields_may_follow_the_files_and_a_thumbnail_is_sniffed_from_its_bytes()
    {
        using var client = api.ClientFor("upload-fields-last");
        var form = new UploadForm()
            .File("thumbnail", Samples.WithHeader(Samples.PngHeader, 512, 5), "application/octet-stream", "t")
            .File("video", Samples.Mp4(), "application/octet-stream", "v")
            .Field("title", "Fields last")
            .Field("description", "Sent after the files.");

        using var response = await client.UploadAsync(form);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var video = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Fields last", video.GetProperty("title").GetString());
        Assert.Equal("Sent after the files.", video.GetProperty("description").GetString());
        Assert.Equal("video/mp4", video.GetProperty("video").GetProperty("contentType").GetString());
        Assert.Equal("image/png", video.GetProperty("thumbnail").GetProperty("contentType").GetString());
    }

    [Fact]
    public async Task When_the_final_catalog_write_fails_the_stored_files_are_removed_and_the_answer_is_a_500_problem()
    {
        const string owner = "upload-catalog-down";
        var leftovers = Leftovers.Before(api, owner);
        using var client = api.ClientFor(owner);

        using var response = await client.UploadAsync(UploadForm.Valid(VideosApiFactory.CatalogFailsTitle).File("thumbnail", Samples.Jpeg(), "image/jpeg", "t.jpg"));

        await response.AssertProblemAsync(HttpStatusCode.InternalServerError);
        await leftovers.AssertNoneAsync();
        // Both files had been stored before the failing write, and were removed at once.
        await using var session = api.Store.QuerySession();
        var video = Assert.Single(await session.Query<VideoDetails>().Where(v => v.OwnerId == owner).ToListAsync());
        Assert.Equal(VideoStatus.Failed, video.Status);
        Assert.Equal([CleanupState.Done, CleanupState.Done], video.Cleanups.Select(c => c.State));
    }
}
