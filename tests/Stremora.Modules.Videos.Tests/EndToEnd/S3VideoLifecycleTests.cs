using System.Net;
using System.Text.Json;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Videos.Tests.EndToEnd;

/// <summary>The host with S3 (moto_server on loopback) as its provider.</summary>
public sealed class S3VideosApi : IAsyncLifetime
{
    public VideosApiFactory Api { get; } = new();

    public TestBucket Bucket { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Bucket = await MotoServer.Instance.CreateBucketAsync();
        Api.WithS3(Bucket).With("Storage:Order", "s3");
        await Api.InitializeAsync();
    }

    public Task DisposeAsync() => Api.DisposeAsync();
}

public sealed class S3VideoLifecycleTests(S3VideosApi s3) : IClassFixture<S3VideosApi>
{
    [Fact]
    public async Task Upload_lands_on_s3_plays_from_a_presigned_url_and_delete_removes_the_object()
    {
        using var client = s3.Api.ClientFor("s3-owner");
        var bytes = Samples.Mp4(20_000, seed: 61);

        var video = await client.UploadValidAsync("On S3", bytes);
        var id = video.GetProperty("id").GetGuid();
        var file = video.GetProperty("video");
        Assert.Equal("s3", file.GetProperty("provider").GetString());
        var key = file.GetProperty("locator").GetString()!;
        Assert.Equal([key], await s3.Bucket.KeysAsync());

        // The bucket is private: the URL is presigned, asked for at read time.
        var (_, got) = await s3.Api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        var url = JsonDocument.Parse(got).RootElement.GetProperty("video").GetProperty("url").GetString()!;
        Assert.Contains("X-Amz-Signature", url, StringComparison.Ordinal);
        using (var browser = new HttpClient())
        {
            Assert.Equal(bytes, await browser.GetByteArrayAsync(new Uri(url)));
        }

        using var deleted = await client.DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Eventually.UntilAsync(async () => (await s3.Bucket.KeysAsync()).Count == 0, "the cleanup job deleted the S3 object");
        await Eventually.UntilAsync(
            async () => (await client.GetStringAsync(new Uri($"/api/videos/{id}/history", UriKind.Relative))).Contains("\"type\":\"StoredFileCleanedUp\"", StringComparison.Ordinal),
            "the stream records the object cleaned up");
    }

    [Fact]
    public async Task A_rejected_upload_leaves_no_object_and_no_unfinished_multipart_upload()
    {
        using var client = s3.Api.ClientFor("s3-rejected");
        var before = await s3.Bucket.KeysAsync();

        using var response = await client.UploadAsync(UploadForm.Valid("Bad thumbnail").File("thumbnail", Samples.NotAVideo(), "image/png", "t.png"));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await s3.Bucket.KeysAsync());
        Assert.Empty(await s3.Bucket.MultipartUploadsAsync());
        Assert.Empty(s3.Api.SpoolFiles());
    }
}
