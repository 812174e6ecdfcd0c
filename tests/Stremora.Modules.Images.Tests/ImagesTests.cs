using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Newtonsoft.Json.Linq;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Snapshots;

namespace Stremora.Modules.Images.Tests;

[Collection(ImagesApiGroup.Name)]
public sealed class ImagesTests(ImagesApiFactory api)
{
    [Fact]
    public async Task Upload_fails_over_to_s3_when_cloudinary_returns_500_and_get_serves_it()
    {
        using var owner = api.ClientFor("image-owner");
        var bytes = Samples.Jpeg(2048, seed: 31);
        api.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        HttpResponseMessage response;
        try
        {
            response = await owner.UploadImageAsync("cover", bytes);
        }
        finally
        {
            api.Cloudinary.Faults.Clear();
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, body);
            var image = JsonDocument.Parse(body).RootElement;
            var id = image.GetProperty("id").GetGuid();
            Assert.Equal($"/api/images/{id}", response.Headers.Location?.OriginalString);
            Assert.Equal("s3", image.GetProperty("file").GetProperty("provider").GetString());
            Assert.Equal(Samples.Sha256(bytes), image.GetProperty("file").GetProperty("sha256").GetString());
            Assert.Contains($"stremora/images/{id:N}/cover", await api.Bucket.KeysAsync());
            Assert.Equal(
                [("cloudinary", "failed"), ("s3", "stored")],
                image.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString())));
            Snapshot(body).MatchSnapshot(SnapshotNameExtension.Create("created"));

            using var anonymous = api.CreateClient();
            var fetched = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri($"/api/images/{id}", UriKind.Relative))).RootElement;
            Assert.Equal(id, fetched.GetProperty("id").GetGuid());
            Assert.Equal("image-owner", fetched.GetProperty("ownerId").GetString());
            var url = new Uri(fetched.GetProperty("file").GetProperty("url").GetString()!);
            Assert.Equal(bytes, await new HttpClient().GetByteArrayAsync(url));
        }
    }

    [Fact]
    public async Task Upload_goes_to_cloudinary_first_as_an_image_resource()
    {
        using var owner = api.ClientFor("cloudinary-image-owner");

        var image = await owner.UploadValidImageAsync("avatar", Samples.Jpeg(1500, seed: 32));

        var id = image.GetProperty("id").GetGuid();
        Assert.Equal("cloudinary", image.GetProperty("file").GetProperty("provider").GetString());
        Assert.Equal("image/jpeg", image.GetProperty("file").GetProperty("contentType").GetString());
        Assert.NotNull(api.Cloudinary.FindAsset($"stremora/images/{id:N}/avatar", "image"));
    }

    [Fact]
    public async Task List_filters_by_owner_and_kind_newest_first()
    {
        using var owner = api.ClientFor("list-owner");
        var firstCover = (await owner.UploadValidImageAsync("cover", Samples.Jpeg(1100, seed: 41))).GetProperty("id").GetGuid();
        var avatar = (await owner.UploadValidImageAsync("avatar", Samples.Jpeg(1100, seed: 42))).GetProperty("id").GetGuid();
        var secondCover = (await owner.UploadValidImageAsync("cover", Samples.Jpeg(1100, seed: 43))).GetProperty("id").GetGuid();
        await api.ClientFor("list-other").UploadValidImageAsync("cover", Samples.Jpeg(1100, seed: 44));
        using var anonymous = api.CreateClient();

        var covers = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri("/api/images?ownerId=list-owner&kind=cover", UriKind.Relative))).RootElement;
        var all = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri("/api/images?ownerId=list-owner", UriKind.Relative))).RootElement;

        Assert.Equal([secondCover, firstCover], covers.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal(2, covers.GetProperty("total").GetInt32());
        Assert.Equal([secondCover, avatar, firstCover], all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        using var badKind = await anonymous.GetAsync(new Uri("/api/images?kind=banner", UriKind.Relative));
        await badKind.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Delete_hides_the_image_at_once_and_removes_its_file_in_the_background()
    {
        using var owner = api.ClientFor("delete-image-owner");
        api.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        JsonElement image;
        try
        {
            image = await owner.UploadValidImageAsync("avatar", Samples.Jpeg(1200, seed: 51));
        }
        finally
        {
            api.Cloudinary.Faults.Clear();
        }

        var id = image.GetProperty("id").GetGuid();
        var key = $"stremora/images/{id:N}/avatar";
        Assert.Contains(key, await api.Bucket.KeysAsync());

        using var deleted = await owner.DeleteAsync(new Uri($"/api/images/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await api.CreateClient().GetAsync(new Uri($"/api/images/{id}", UriKind.Relative));
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
        await Eventually.UntilAsync(async () => !(await api.Bucket.KeysAsync()).Contains(key), $"S3 no longer holds {key}");
        using var again = await owner.DeleteAsync(new Uri($"/api/images/{id}", UriKind.Relative));
        await again.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_users_delete_is_403_and_the_image_stays()
    {
        var image = await api.ClientFor("keeper").UploadValidImageAsync("avatar", Samples.Jpeg(1300, seed: 61));
        var id = image.GetProperty("id").GetGuid();

        using var response = await api.ClientFor("stranger").DeleteAsync(new Uri($"/api/images/{id}", UriKind.Relative));

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        using var still = await api.CreateClient().GetAsync(new Uri($"/api/images/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        using var byAdmin = await api.ClientFor("an-admin", admin: true).DeleteAsync(new Uri($"/api/images/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, byAdmin.StatusCode);
    }

    [Fact]
    public async Task Unknown_image_is_404_for_get_and_delete()
    {
        var unknown = Guid.CreateVersion7();
        using var get = await api.CreateClient().GetAsync(new Uri($"/api/images/{unknown}", UriKind.Relative));
        using var delete = await api.ClientFor("nobody").DeleteAsync(new Uri($"/api/images/{unknown}", UriKind.Relative));

        await get.AssertProblemAsync(HttpStatusCode.NotFound);
        await delete.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bytes_that_are_not_an_image_are_415_and_nothing_is_stored()
    {
        using var owner = api.ClientFor("text-sender");
        var before = api.Cloudinary.Assets.Count;

        using var response = await owner.UploadImageAsync("avatar", Samples.NotAVideo());

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("JPEG, PNG or WebP", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, api.Cloudinary.Assets.Count);
    }

    [Fact]
    public async Task An_image_over_the_limit_is_413_from_its_content_length()
    {
        using var owner = api.ClientFor("big-sender");
        var before = api.Cloudinary.RequestCount;

        using var response = await owner.UploadImageAsync("cover", Samples.Jpeg((int)ImagesApiFactory.MaxImageBytes * 2));

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, api.Cloudinary.RequestCount);
    }

    [Fact]
    public async Task An_image_over_the_limit_without_a_content_length_is_413_and_leaves_nothing()
    {
        using var owner = api.ClientFor("chunked-sender");
        var before = api.Cloudinary.Assets.Count;
        using var form = ImagesClient.Form("cover", Samples.Jpeg((int)ImagesApiFactory.MaxImageBytes + 1024));
        // A streamed body whose length is not known up front: storage must stop it at the limit.
        using var content = new StreamContent(await form.ReadAsStreamAsync());
        content.Headers.ContentType = form.Headers.ContentType;

        using var response = await owner.PostAsync(new Uri("/api/images", UriKind.Relative), content);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, api.Cloudinary.Assets.Count);
    }

    [Fact]
    public async Task An_unknown_kind_is_400()
    {
        using var response = await api.ClientFor("banner-sender").UploadImageAsync("banner", Samples.Jpeg());

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("avatar", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_upload_is_401()
    {
        using var response = await api.CreateClient().UploadImageAsync("avatar", Samples.Jpeg());
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_same_idempotency_key_and_content_returns_the_same_image_other_content_is_409()
    {
        using var owner = api.ClientFor("retrying-owner");
        var bytes = Samples.Jpeg(1400, seed: 71);

        using var first = await owner.UploadImageAsync("avatar", bytes, idempotencyKey: "avatar-1");
        using var second = await owner.UploadImageAsync("avatar", bytes, idempotencyKey: "avatar-1");
        using var other = await owner.UploadImageAsync("avatar", Samples.Jpeg(1400, seed: 72), idempotencyKey: "avatar-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var id = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        Assert.Equal(id, JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        await other.AssertProblemAsync(HttpStatusCode.Conflict);
        var listed = JsonDocument.Parse(await owner.GetStringAsync(new Uri("/api/images?ownerId=retrying-owner", UriKind.Relative))).RootElement;
        Assert.Equal(1, listed.GetProperty("total").GetInt32());
        // Only the first copy is kept: the replay's and the conflict's were removed before they answered.
        Assert.Single(api.Cloudinary.Assets, a => a.PublicId.Contains("/images/", StringComparison.Ordinal) && a.Bytes == 1400 && string.Equals(Samples.Sha256(bytes), a.Sha256, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Reconciliation_keeps_live_image_files_and_removes_image_orphans()
    {
        using var owner = api.ClientFor("reconcile-image-owner");
        var live = (await owner.UploadValidImageAsync("avatar", Samples.Jpeg(1600, seed: 81))).GetProperty("id").GetGuid();
        var orphanId = Guid.CreateVersion7();
        var orphan = await api.Cloudinary.PlantAssetAsync($"stremora/images/{orphanId:N}/cover", Samples.Jpeg(900, seed: 82), "image");
        using var admin = api.ClientFor("reconcile-admin", admin: true);

        await admin.ReconcileAsync();

        Assert.NotNull(api.Cloudinary.FindAsset($"stremora/images/{live:N}/avatar", "image"));
        Assert.Null(api.Cloudinary.FindAsset(orphan.PublicId, "image"));
        using var still = await api.CreateClient().GetAsync(new Uri($"/api/images/{live}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    /// <summary>Ids, times and elapsed times change every run, and the S3 URL is presigned on a random port.</summary>
    private static JToken Snapshot(string body)
    {
        var token = Json.Parse(body);
        var id = (string)token["id"]!;
        token["id"] = "<id>";
        token["createdAt"] = "<time>";
        token["file"]!["url"] = "<presigned url>";
        token["file"]!["locator"] = ((string)token["file"]!["locator"]!).Replace(Guid.Parse(id).ToString("N"), "<id>", StringComparison.Ordinal);
        foreach (var attempt in token["attempts"]!)
        {
            attempt["elapsedMs"] = 0;
        }

        return token;
    }
}
