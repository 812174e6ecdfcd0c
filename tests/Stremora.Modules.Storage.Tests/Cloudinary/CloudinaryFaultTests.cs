using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.FakeCloudinary;

namespace Stremora.Modules.Storage.Tests.Cloudinary;

public sealed class CloudinaryFaultTests : IClassFixture<FakeCloudinaryFixture>
{
    private const long FiveMiB = 5 * 1024 * 1024;

    private readonly FakeCloudinaryServer _fake;

    public CloudinaryFaultTests(FakeCloudinaryFixture fixture)
    {
        _fake = fixture.Server;
        _fake.Faults.Clear();
    }

    private static ProviderUpload Video(string id) => new(StoredFileKind.Video, $"videos/{id}/video", "video/mp4");

    [Theory]
    [InlineData(FakeCloudinaryFault.InternalServerError, "cloudinary answered 500: General Error")]
    [InlineData(FakeCloudinaryFault.ServiceUnavailable, "cloudinary answered 503: Service Unavailable")]
    [InlineData(FakeCloudinaryFault.RateLimited, "cloudinary answered 420: Rate Limit Exceeded")]
    [InlineData(FakeCloudinaryFault.TooManyRequests, "cloudinary answered 429: Too Many Requests")]
    [InlineData(FakeCloudinaryFault.ResetMidBody, "cloudinary could not be reached")]
    [InlineData(FakeCloudinaryFault.WrongBytes, "cloudinary reported 300001 bytes stored but 300000 were sent")]
    [InlineData(FakeCloudinaryFault.InvalidJson, "cloudinary answered with an upload result that is not the expected JSON")]
    public async Task Each_fault_is_a_transient_failure_that_leaves_nothing_stored(FakeCloudinaryFault fault, string message)
    {
        using var services = CloudinaryTestServices.Build(_fake);
        using var file = TestFile.Random(300_000);
        var id = $"fault-{fault}";
        _fake.Faults.FailNext(fault);

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().UploadAsync(Video(id), file.Source(), CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.StartsWith(message, failure.Message, StringComparison.Ordinal);
        Assert.Null(_fake.FindAsset($"stremora/videos/{id}/video"));
    }

    [Fact]
    public async Task A_hanging_cloudinary_is_given_up_on_through_the_token_and_keeps_nothing()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        using var file = TestFile.Random(300_000);
        _fake.Faults.FailAll(FakeCloudinaryFault.Hang);
        using var attempt = new CancellationTokenSource();
        var upload = services.Provider().UploadAsync(Video("hang"), file.Source(), attempt.Token);

        await Eventually.UntilAsync(() => _fake.Faults.Taken > 0, "the fake took the hanging request", TimeSpan.FromSeconds(30));
        Assert.False(upload.IsCompleted);
        await attempt.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload);
        Assert.Null(_fake.FindAsset("stremora/videos/hang/video"));
    }

    [Fact]
    public async Task A_chunked_upload_whose_last_chunk_fails_is_transient_and_leaves_no_asset()
    {
        using var services = CloudinaryTestServices.Build(_fake, chunkSizeBytes: FiveMiB);
        using var file = TestFile.Random(12_000_000);
        _fake.Faults.FailNext(FakeCloudinaryFault.InternalServerError, after: 2);

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().UploadAsync(Video("chunked-500"), file.Source(), CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.Null(_fake.FindAsset("stremora/videos/chunked-500/video"));
    }

    [Fact]
    public async Task A_chunked_upload_whose_connection_resets_mid_chunk_is_transient_and_leaves_no_asset()
    {
        using var services = CloudinaryTestServices.Build(_fake, chunkSizeBytes: FiveMiB);
        using var file = TestFile.Random(12_000_000);
        _fake.Faults.FailNext(FakeCloudinaryFault.ResetMidBody, after: 1);

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().UploadAsync(Video("chunked-reset"), file.Source(), CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.Null(_fake.FindAsset("stremora/videos/chunked-reset/video"));
    }

    [Fact]
    public async Task A_chunked_upload_whose_result_misreports_the_size_is_destroyed()
    {
        using var services = CloudinaryTestServices.Build(_fake, chunkSizeBytes: FiveMiB);
        using var file = TestFile.Random(12_000_000);
        _fake.Faults.FailNext(FakeCloudinaryFault.WrongBytes, after: 2);
        var before = _fake.RequestCount;

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().UploadAsync(Video("chunked-size"), file.Source(), CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.Null(_fake.FindAsset("stremora/videos/chunked-size/video"));
        Assert.Equal(["upload", "upload", "upload", "destroy"], _fake.Requests.Skip(before).Select(r => r.Operation));
    }

    [Fact]
    public async Task A_chunk_answer_that_is_not_json_is_transient()
    {
        using var services = CloudinaryTestServices.Build(_fake, chunkSizeBytes: FiveMiB);
        using var file = TestFile.Random(12_000_000);
        _fake.Faults.FailNext(FakeCloudinaryFault.InvalidJson);

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().UploadAsync(Video("chunked-json"), file.Source(), CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.Equal("cloudinary answered with a chunk answer that is not JSON", failure.Message);
        Assert.Null(_fake.FindAsset("stremora/videos/chunked-json/video"));
    }

    [Fact]
    public async Task An_unreachable_cloudinary_is_transient()
    {
        var settings = new Dictionary<string, string?>(_fake.Settings) { ["CLOUDINARY_API_BASE_URL"] = $"http://127.0.0.1:{Loopback.FreePort()}/" };
        using var services = CloudinaryTestServices.Build(settings);
        using var file = TestFile.Random(1000);

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().UploadAsync(Video("unreachable"), file.Source(), CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.StartsWith("cloudinary could not be reached", failure.Message, StringComparison.Ordinal);
    }
}
