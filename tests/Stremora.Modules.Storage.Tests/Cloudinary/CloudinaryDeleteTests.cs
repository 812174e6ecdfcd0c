using Stremora.Modules.Storage.Cloudinary;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.TestKit.FakeCloudinary;

namespace Stremora.Modules.Storage.Tests.Cloudinary;

public sealed class CloudinaryDeleteTests : IClassFixture<FakeCloudinaryFixture>
{
    private readonly FakeCloudinaryServer _fake;

    public CloudinaryDeleteTests(FakeCloudinaryFixture fixture)
    {
        _fake = fixture.Server;
        _fake.Faults.Clear();
    }

    private static StoredFile Ref(string publicId, StoredFileKind kind = StoredFileKind.Video) =>
        new(CloudinaryProvider.ProviderName, publicId, kind);

    [Fact]
    public async Task Delete_destroys_the_asset_and_its_url_stops_serving()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        var asset = await _fake.PlantAssetAsync("stremora/videos/delete-me/video", [1, 2, 3]);
        using var http = new HttpClient();
        var url = new Uri(_fake.BaseAddress, $"res/{_fake.CloudName}/video/upload/v{asset.Version}/{asset.PublicId}.{asset.Format}");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(url)).StatusCode);

        await services.Provider().DeleteAsync(Ref(asset.PublicId), CancellationToken.None);

        Assert.Null(_fake.FindAsset(asset.PublicId));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Delete_uses_the_image_resource_type_for_thumbnails()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        await _fake.PlantAssetAsync("stremora/videos/t/thumbnail", [0xFF, 0xD8, 0xFF], "image");
        await _fake.PlantAssetAsync("stremora/videos/t/thumbnail", [1], "video");

        await services.Provider().DeleteAsync(Ref("stremora/videos/t/thumbnail", StoredFileKind.Thumbnail), CancellationToken.None);

        Assert.Null(_fake.FindAsset("stremora/videos/t/thumbnail", "image"));
        Assert.NotNull(_fake.FindAsset("stremora/videos/t/thumbnail", "video"));
    }

    [Fact]
    public async Task Deleting_a_file_cloudinary_does_not_have_counts_as_done()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        var before = _fake.RequestCount;

        await services.Provider().DeleteAsync(Ref("stremora/videos/never-there/video"), CancellationToken.None);

        var request = Assert.Single(_fake.Requests.Skip(before));
        Assert.Equal(("destroy", 200), (request.Operation, request.Status));
    }

    [Fact]
    public async Task Delete_is_retried_after_a_transient_failure()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        await _fake.PlantAssetAsync("stremora/videos/retry/video", [1, 2, 3]);
        _fake.Faults.FailNext(FakeCloudinaryFault.ServiceUnavailable);
        var before = _fake.RequestCount;

        await services.Provider().DeleteAsync(Ref("stremora/videos/retry/video"), CancellationToken.None);

        Assert.Null(_fake.FindAsset("stremora/videos/retry/video"));
        Assert.Equal([503, 200], _fake.Requests.Skip(before).Select(r => r.Status));
    }

    [Fact]
    public async Task Delete_that_keeps_failing_throws_a_transient_error_after_its_retries()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        await _fake.PlantAssetAsync("stremora/videos/down/video", [1, 2, 3]);
        _fake.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        var before = _fake.RequestCount;

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().DeleteAsync(Ref("stremora/videos/down/video"), CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.Equal("cloudinary answered 500: General Error", failure.Message);
        Assert.Equal(4, _fake.RequestCount - before);
        Assert.NotNull(_fake.FindAsset("stremora/videos/down/video"));
    }

    [Fact]
    public async Task A_destroy_that_hangs_is_timed_out_and_retried()
    {
        using var services = CloudinaryTestServices.Build(_fake, overrides: ("Storage:Cloudinary:DestroyAttemptTimeout", "00:00:01"));
        await _fake.PlantAssetAsync("stremora/videos/hung-destroy/video", [1, 2, 3]);
        _fake.Faults.FailNext(FakeCloudinaryFault.Hang);
        var before = _fake.RequestCount;

        await services.Provider().DeleteAsync(Ref("stremora/videos/hung-destroy/video"), CancellationToken.None);

        Assert.Null(_fake.FindAsset("stremora/videos/hung-destroy/video"));
        // The hung request is logged when the client drops it, which may come after the retry is answered.
        Assert.Equal([0, 200], _fake.Requests.Skip(before).Select(r => r.Status).Order());
    }

    [Fact]
    public async Task Delete_with_a_wrong_secret_is_final_and_not_retried()
    {
        using var services = CloudinaryTestServices.Build(
            _fake, overrides: ("CLOUDINARY_URL", $"cloudinary://{_fake.ApiKey}:wrong@{_fake.CloudName}"));
        var before = _fake.RequestCount;

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().DeleteAsync(Ref("stremora/videos/any/video"), CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.Equal(1, _fake.RequestCount - before);
    }

    [Fact]
    public async Task Uploads_are_never_retried_by_the_http_client()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        using var file = Support.TestFile.Random(1000);
        _fake.Faults.FailNext(FakeCloudinaryFault.ServiceUnavailable);
        var before = _fake.RequestCount;

        await Assert.ThrowsAsync<StorageProviderException>(() => services.Provider().UploadAsync(
            new ProviderUpload(StoredFileKind.Video, "videos/no-retry/video", "video/mp4"), file.Source(), CancellationToken.None));

        Assert.Equal(1, _fake.RequestCount - before);
    }
}
