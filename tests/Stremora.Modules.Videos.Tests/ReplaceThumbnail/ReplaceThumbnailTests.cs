using System.Net;
using System.Text.Json;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.ReplaceThumbnail;

/// <summary>What a replacement refuses, on local-disk storage: each refusal stores nothing and leaves the old thumbnail serving.</summary>
[Collection(VideosApiGroup.Name)]
public sealed class ReplaceThumbnailTests(VideosApiFactory api)
{
    [Fact]
    public async Task A_video_without_a_thumbnail_gets_one_and_a_second_replace_removes_the_first_file()
    {
        using var owner = api.ClientFor("thumb-local-owner");
        var id = (await owner.UploadValidAsync("No poster yet")).Id();
        var first = Samples.Jpeg(1500, seed: 41);
        var second = WithPngHeader(1700);

        using var added = await owner.ReplaceThumbnailAsync(id, first);
        var addedBody = await added.Content.ReadAsStringAsync();
        Assert.True(added.StatusCode == HttpStatusCode.OK, addedBody);
        var firstFile = JsonDocument.Parse(addedBody).RootElement.GetProperty("thumbnail");
        Assert.Equal("image/jpeg", firstFile.GetProperty("contentType").GetString());
        using var replaced = await owner.ReplaceThumbnailAsync(id, second, ifMatch: added.Headers.ETag?.Tag, contentType: "image/jpeg");

        var body = await replaced.Content.ReadAsStringAsync();
        Assert.True(replaced.StatusCode == HttpStatusCode.OK, body);
        var thumbnail = JsonDocument.Parse(body).RootElement.GetProperty("thumbnail");
        Assert.Equal("image/png", thumbnail.GetProperty("contentType").GetString());
        Assert.Equal(second, await api.CreateClient().GetByteArrayAsync(new Uri(thumbnail.GetProperty("url").GetString()!, UriKind.RelativeOrAbsolute)));
        await Eventually.UntilAsync(() => !api.StoredFiles().Any(f => f.Contains(firstFile.GetProperty("locator").GetString()!, StringComparison.Ordinal)), "the first replacement's file is removed");
        var (_, history) = await owner.SendAsync(HttpMethod.Get, $"/api/videos/{id}/history");
        Assert.Equal(
            ["VideoUploadStarted", "VideoFileStored", "VideoAnalyzed", "VideoReady", "VideoThumbnailReplaced", "VideoThumbnailReplaced", "StoredFileCleanupScheduled"],
            JsonDocument.Parse(history).RootElement.EnumerateArray().Select(e => e.GetProperty("type").GetString()).Where(t => t != "StoredFileCleanedUp"));
    }

    [Fact]
    public async Task A_non_image_is_415_and_too_large_is_413_and_neither_stores_anything()
    {
        using var owner = api.ClientFor("thumb-refused-owner");
        var video = await owner.UploadWithThumbnailAsync("Refused posters");
        var id = video.Id();
        var filesBefore = api.StoredFiles();

        using var notImage = await owner.ReplaceThumbnailAsync(id, Samples.NotAVideo());
        using var tooLarge = await owner.ReplaceThumbnailAsync(id, Samples.Jpeg((int)VideosApiFactory.MaxThumbnailBytes + 1));
        using var empty = await owner.ReplaceThumbnailAsync(id, []);

        var unsupported = await notImage.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Scrub.Json(unsupported.GetRawText()).MatchSnapshot(SnapshotNameExtension.Create("not-an-image"));
        await tooLarge.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await empty.AssertProblemAsync(HttpStatusCode.BadRequest);
        api.AssertStoredNothingSince(filesBefore, id);
        Assert.Empty(api.SpoolFiles());
        await AssertThumbnailIsAsync(id, video);
    }

    [Fact]
    public async Task Another_user_is_403_anonymous_401_unknown_and_deleted_404_and_an_admin_may()
    {
        using var owner = api.ClientFor("thumb-access-owner");
        var video = await owner.UploadWithThumbnailAsync("Whose poster");
        var deleted = (await owner.UploadValidAsync("Gone")).Id();
        (await owner.DeleteAsync(new Uri($"/api/videos/{deleted}", UriKind.Relative))).Dispose();
        var filesBefore = api.StoredFiles();

        using var stranger = await api.ClientFor("thumb-stranger").ReplaceThumbnailAsync(video.Id(), Samples.Jpeg(1200));
        using var anonymous = await api.CreateClient().ReplaceThumbnailAsync(video.Id(), Samples.Jpeg(1200));
        using var unknown = await owner.ReplaceThumbnailAsync(Guid.CreateVersion7(), Samples.Jpeg(1200));
        using var gone = await owner.ReplaceThumbnailAsync(deleted, Samples.Jpeg(1200));

        await stranger.AssertProblemAsync(HttpStatusCode.Forbidden);
        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
        api.AssertStoredNothingSince(filesBefore, video.Id());
        await AssertThumbnailIsAsync(video.Id(), video);

        using var admin = await api.ClientFor("thumb-admin", admin: true).ReplaceThumbnailAsync(video.Id(), Samples.Jpeg(1300, seed: 42));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task A_stale_if_match_is_412_with_the_current_etag_and_the_thumbnail_stays()
    {
        using var owner = api.ClientFor("thumb-stale-owner");
        var video = await owner.UploadWithThumbnailAsync("Edited first");
        using var edited = await owner.EditAsync(video.Id(), new { title = "Edited" });
        var filesBefore = api.StoredFiles();

        using var stale = await owner.ReplaceThumbnailAsync(video.Id(), Samples.Jpeg(1400), ifMatch: "\"5\"");

        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(edited.Headers.ETag?.Tag, stale.Headers.ETag?.Tag);
        api.AssertStoredNothingSince(filesBefore, video.Id());
        await AssertThumbnailIsAsync(video.Id(), video);
    }

    private async Task AssertThumbnailIsAsync(Guid id, JsonElement video)
    {
        var (_, got) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        Assert.Equal(video.Locator("thumbnail"), JsonDocument.Parse(got).RootElement.Locator("thumbnail"));
    }

    private static byte[] WithPngHeader(int size) => Samples.WithHeader(Samples.PngHeader, size, seed: 43);
}
