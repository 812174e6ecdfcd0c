using System.Security.Cryptography;
using Stremora.Modules.Storage.Cloudinary;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.FakeCloudinary;

namespace Stremora.Modules.Storage.Tests.Cloudinary;

public sealed class CloudinaryUploadTests : IClassFixture<FakeCloudinaryFixture>
{
    private const long FiveMiB = 5 * 1024 * 1024;

    private readonly FakeCloudinaryServer _fake;

    public CloudinaryUploadTests(FakeCloudinaryFixture fixture)
    {
        _fake = fixture.Server;
        _fake.Faults.Clear();
    }

    private static ProviderUpload Video(string id) => new(StoredFileKind.Video, $"videos/{id}/video", "video/mp4");

    private static async Task<string> Sha256Of(string url)
    {
        using var http = new HttpClient();
        await using var body = await http.GetStreamAsync(new Uri(url));
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(body));
    }

    [Fact]
    public async Task Small_video_lands_on_cloudinary_and_its_secure_url_serves_the_same_bytes()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        using var file = TestFile.Random(300_000);
        var before = _fake.RequestCount;

        var stored = await services.Provider().UploadAsync(Video("small"), file.Source(), CancellationToken.None);

        Assert.Equal("stremora/videos/small/video", stored.Locator);
        Assert.Equal(file.Length, stored.Bytes);
        Assert.Equal(file.Sha256, await Sha256Of(stored.Url));
        var asset = _fake.FindAsset("stremora/videos/small/video", "video");
        Assert.NotNull(asset);
        Assert.Equal(file.Sha256, asset.Sha256);
        var request = Assert.Single(_fake.Requests.Skip(before));
        Assert.Equal(("upload", "video", null, 200), (request.Operation, request.ResourceType, request.UploadId, request.Status));
    }

    [Fact]
    public async Task Thumbnail_goes_to_the_image_resource_type()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        using var file = TestFile.Random(20_000);

        var stored = await services.Provider().UploadAsync(
            new ProviderUpload(StoredFileKind.Thumbnail, "videos/thumb/thumbnail", "image/jpeg"), file.Source(), CancellationToken.None);

        Assert.NotNull(_fake.FindAsset(stored.Locator, "image"));
        Assert.Null(_fake.FindAsset(stored.Locator, "video"));
        Assert.Contains("/image/upload/", stored.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_larger_than_a_chunk_is_sent_in_contiguous_chunks_under_one_upload_id()
    {
        using var services = CloudinaryTestServices.Build(_fake, chunkSizeBytes: FiveMiB);
        using var file = TestFile.Random(12_000_000, seed: 7);
        var before = _fake.RequestCount;

        var stored = await services.Provider().UploadAsync(Video("chunked"), file.Source(), CancellationToken.None);

        var requests = _fake.Requests.Skip(before).ToList();
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(200, r.Status));
        Assert.Single(requests.Select(r => r.UploadId).Distinct());
        Assert.NotNull(requests[0].UploadId);
        Assert.Equal(
            ["bytes 0-5242879/-1", "bytes 5242880-10485759/-1", "bytes 10485760-11999999/12000000"],
            requests.Select(r => r.ContentRange));
        Assert.Equal(file.Length, stored.Bytes);
        Assert.Equal(file.Sha256, await Sha256Of(stored.Url));
        Assert.Equal(0, _fake.PendingChunkedUploads);

        // The etag (MD5 of what Cloudinary joined) is handed to the chain, which compares it with the spool's.
        await using var content = File.OpenRead(file.Path);
#pragma warning disable CA5351 // Cloudinary's etag is an MD5
        Assert.Equal(Convert.ToHexStringLower(await System.Security.Cryptography.MD5.HashDataAsync(content)), stored.Md5);
#pragma warning restore CA5351
    }

    [Fact]
    public async Task Chunks_between_the_first_and_the_last_go_side_by_side_and_the_last_only_after_every_other_was_answered()
    {
        // Its own fake: the in-flight count is kept per server. It answers a middle chunk only once two are in flight.
        await using var fake = await FakeCloudinaryServer.StartAsync();
        fake.HoldMiddleChunksUntilInFlight = 2;
        using var services = CloudinaryTestServices.Build(fake, chunkSizeBytes: FiveMiB, ("Storage:Cloudinary:ConcurrentChunks", "3"));
        using var file = TestFile.Random((4 * FiveMiB) + 1000, seed: 11);

        var stored = await services.Provider().UploadAsync(Video("side-by-side"), file.Source(), CancellationToken.None);

        Assert.True(fake.MostChunksInFlight >= 2, $"at most {fake.MostChunksInFlight} chunk(s) were in flight at once");
        var requests = fake.Requests;
        Assert.All(requests, r => Assert.Equal(200, r.Status));
        Assert.Equal(5, requests.Count);
        Assert.Equal($"bytes 0-{FiveMiB - 1}/-1", requests[0].ContentRange);
        Assert.Equal($"bytes {4 * FiveMiB}-{(4 * FiveMiB) + 999}/{file.Length}", requests[^1].ContentRange);
        Assert.Equal((file.Length, file.Sha256), (stored.Bytes, await Sha256Of(stored.Url)));
        Assert.Equal(0, fake.PendingChunkedUploads);
    }

    [Fact]
    public async Task Separate_variables_and_sha256_signatures_work_against_an_account_set_to_sha256()
    {
        await using var fake = await FakeCloudinaryServer.StartAsync(signatureAlgorithm: "sha256");
        using var services = CloudinaryTestServices.Build(fake.SeparateSettings);
        using var file = TestFile.Random(1000);

        var stored = await services.Provider().UploadAsync(Video("sha256"), file.Source(), CancellationToken.None);

        Assert.Equal(file.Sha256, fake.FindAsset(stored.Locator)!.Sha256);
    }

    [Fact]
    public async Task Sha1_signatures_are_refused_by_an_account_set_to_sha256()
    {
        await using var fake = await FakeCloudinaryServer.StartAsync(signatureAlgorithm: "sha256");
        using var services = CloudinaryTestServices.Build(fake, overrides: ("Storage:Cloudinary:SignatureAlgorithm", "sha1"));
        using var file = TestFile.Random(1000);

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().UploadAsync(Video("wrong-algorithm"), file.Source(), CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.StartsWith("cloudinary answered 401: Invalid Signature", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_api_secret_is_a_final_401_whose_message_carries_no_secret_or_signed_string()
    {
        const string WrongSecret = "NotTheRealSecret123";
        using var services = CloudinaryTestServices.Build(
            _fake, overrides: ("CLOUDINARY_URL", $"cloudinary://{_fake.ApiKey}:{WrongSecret}@{_fake.CloudName}"));
        using var file = TestFile.Random(1000);

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().UploadAsync(Video("wrong-secret"), file.Source(), CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.Equal("cloudinary", failure.Provider);
        Assert.StartsWith("cloudinary answered 401: Invalid Signature", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongSecret, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("String to sign", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("timestamp=", failure.Message, StringComparison.Ordinal);
        Assert.Null(_fake.FindAsset("stremora/videos/wrong-secret/video"));
    }

    [Fact]
    public async Task A_clock_more_than_an_hour_behind_gets_a_final_stale_request()
    {
        var settings = new Dictionary<string, string?>(_fake.Settings);
        using var services = CloudinaryTestServices.Build(settings, new ShiftedClock(TimeSpan.FromHours(-2)));
        using var file = TestFile.Random(1000);

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().UploadAsync(Video("stale"), file.Source(), CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.StartsWith("cloudinary answered 400: Stale request", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_file_is_refused_as_final()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        using var file = TestFile.Random(0);

        var failure = await Assert.ThrowsAsync<StorageProviderException>(
            () => services.Provider().UploadAsync(Video("empty"), file.Source(), CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.Equal("cloudinary answered 400: Empty file", failure.Message);
    }

    [Fact]
    public async Task Playback_url_is_the_secure_url_cloudinary_returned()
    {
        using var services = CloudinaryTestServices.Build(_fake);
        var file = new StoredFile(CloudinaryProvider.ProviderName, "stremora/videos/x/video", StoredFileKind.Video, "https://res.example/v1/x.mp4");

        Assert.Equal("https://res.example/v1/x.mp4", await services.Provider().GetPlaybackUrlAsync(file, CancellationToken.None));
    }

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
