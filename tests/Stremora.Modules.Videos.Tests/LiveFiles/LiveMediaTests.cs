using System.Net;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.LiveFiles;

/// <summary>
/// On local disk, /media serves a file only while the catalog says it is live: a ready video's current file or
/// thumbnail, a ready image's file. Each test holds (or fails) the removal so the file is still on disk when /media is
/// asked. Images are here too because this host is the one with removal hooks; the images module's claims answer for them.
/// </summary>
[Collection(VideosApiGroup.Name)]
public sealed class LiveMediaTests(VideosApiFactory api)
{
    [Fact]
    public async Task A_deleted_videos_files_are_404_at_once_before_their_removal_has_run()
    {
        using var owner = api.ClientFor("live-delete-owner");
        var video = await owner.UploadWithThumbnailAsync("Deleted soon");
        var id = video.Id();
        var urls = new[] { Url(video, "video"), Url(video, "thumbnail") };
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(url));
        }

        using (api.Deletes.Hold(id))
        {
            using var deleted = await owner.DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

            Assert.Equal(2, api.StoredFiles().Count(f => f.Contains($"{id:N}", StringComparison.Ordinal)));
            foreach (var url in urls)
            {
                await AssertNotServedAsync(url);
            }
        }

        await Eventually.UntilAsync(() => !api.StoredFiles().Any(f => f.Contains($"{id:N}", StringComparison.Ordinal)), "the deleted video's files are removed");
    }

    [Fact]
    public async Task A_replaced_thumbnail_is_404_at_once_and_the_new_one_is_served()
    {
        using var owner = api.ClientFor("live-thumbnail-owner");
        var video = await owner.UploadWithThumbnailAsync("New poster");
        var id = video.Id();
        var old = Url(video, "thumbnail");
        var oldLocator = video.GetProperty("thumbnail").GetProperty("locator").GetString()!;

        using (api.Deletes.Hold(id))
        {
            using var replaced = await owner.ReplaceThumbnailAsync(id, Samples.Jpeg(1500, seed: 43));
            var body = await replaced.Content.ReadAsStringAsync();
            Assert.True(replaced.StatusCode == HttpStatusCode.OK, body);
            var current = JsonDocument.Parse(body).RootElement;

            Assert.Contains(api.StoredFiles(), f => f.Contains(oldLocator, StringComparison.Ordinal));
            await AssertNotServedAsync(old);
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(Url(current, "thumbnail")));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(Url(current, "video")));
        }

        await Eventually.UntilAsync(() => !api.StoredFiles().Any(f => f.Contains(oldLocator, StringComparison.Ordinal)), "the replaced thumbnail is removed");
    }

    [Fact]
    public async Task A_failed_uploads_files_are_404_while_their_removal_keeps_failing()
    {
        const string owner = "live-failed-owner";
        using var client = api.ClientFor(owner);
        VideoDetails failed;
        using (api.Deletes.FailAll())
        {
            using var response = await client.UploadAsync(UploadForm.Valid(VideosApiFactory.CatalogFailsTitle).File("thumbnail", Samples.Jpeg(), "image/jpeg", "t.jpg"));
            await response.AssertProblemAsync(HttpStatusCode.InternalServerError);
            await using var session = api.Store.QuerySession();
            failed = Assert.Single(await session.Query<VideoDetails>().Where(v => v.OwnerId == owner).ToListAsync());
            Assert.Equal(VideoStatus.Failed, failed.Status);
            Assert.Equal(2, failed.Cleanups.Count);

            foreach (var cleanup in failed.Cleanups)
            {
                Assert.Contains(cleanup.Locator, api.StoredFiles());
                await AssertNotServedAsync($"/media/{cleanup.Locator}");
            }
        }

        // The removal may have given up while every removal failed: take the files away so the collection's later tests find none.
        var storage = api.Services.GetRequiredService<IVideoStorage>();
        foreach (var cleanup in failed.Cleanups)
        {
            await storage.DeleteAsync(new StoredFile(cleanup.Provider, cleanup.Locator, cleanup.File, null), CancellationToken.None);
        }
    }

    [Fact]
    public async Task An_unpublished_video_is_still_served_and_an_unknown_key_is_not()
    {
        using var owner = api.ClientFor("live-unpublished-owner");
        var video = await owner.UploadValidAsync("Hidden but playable");
        using var edited = await owner.EditAsync(video.Id(), new { published = false });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(Url(video, "video")));
        await AssertNotServedAsync($"/media/videos/{Guid.CreateVersion7():N}/video.mp4");
    }

    [Fact]
    public async Task A_deleted_images_file_is_404_at_once_before_its_removal_has_run()
    {
        using var owner = api.ClientFor("live-image-owner");
        using var uploaded = await owner.PostAsync(
            new Uri("/api/images", UriKind.Relative),
            new UploadForm().Field("kind", "avatar").File("image", Samples.Jpeg(1400, seed: 47), "image/jpeg", "me.jpg").Build());
        var body = await uploaded.Content.ReadAsStringAsync();
        Assert.True(uploaded.StatusCode == HttpStatusCode.Created, body);
        var image = JsonDocument.Parse(body).RootElement;
        var id = image.Id();
        var url = Url(image, "file");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(url));

        using (api.Deletes.Hold(id))
        {
            using var deleted = await owner.DeleteAsync(new Uri($"/api/images/{id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

            Assert.Contains(api.StoredFiles(), f => f.Contains($"{id:N}", StringComparison.Ordinal));
            await AssertNotServedAsync(url);
        }

        await Eventually.UntilAsync(() => !api.StoredFiles().Any(f => f.Contains($"{id:N}", StringComparison.Ordinal)), "the deleted image's file is removed");
    }

    private static string Url(JsonElement video, string file) => video.GetProperty(file).GetProperty("url").GetString()!;

    private async Task<HttpStatusCode> StatusAsync(string url)
    {
        using var response = await api.CreateClient().GetAsync(new Uri(url, UriKind.Relative));
        return response.StatusCode;
    }

    private async Task AssertNotServedAsync(string url)
    {
        using var response = await api.CreateClient().GetAsync(new Uri(url, UriKind.Relative));
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{url}: a 404 must not be cached");
    }
}
