using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.S3;
using Stremora.Modules.Storage.Tests.Failover;
using Stremora.TestKit.S3;
using Stremora.TestKit.Streams;

namespace Stremora.Modules.Storage.Tests.S3;

/// <summary>The S3 provider against moto_server, through the chain with S3 alone in the order.</summary>
public sealed class S3StorageProviderTests : IAsyncLifetime
{
    private readonly ChainHarness _harness = new();
    private TestBucket _bucket = null!;

    public async Task InitializeAsync() => _bucket = await MotoServer.Instance.CreateBucketAsync();

    public Task DisposeAsync()
    {
        _harness.Dispose();
        return Task.CompletedTask;
    }

    private S3StorageProvider Provider(Action<S3Options>? configure = null)
    {
        var options = S3TestOptions.For(_bucket.Settings);
        options.PartSizeBytes = S3Options.MinPartSizeBytes;
        configure?.Invoke(options);
        return new S3StorageProvider(Options.Create(options), TimeProvider.System, NullLogger<S3StorageProvider>.Instance);
    }

    private static StoreFileRequest Request(string contentType = "video/mp4") =>
        new(StoredFileKind.Video, $"videos/{Guid.CreateVersion7()}/video", contentType, 1L << 30);

    private static async Task<(HttpStatusCode Status, string? ContentType, byte[] Body)> FetchAsync(string url)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(url));
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_small_file_is_one_put_and_comes_back_from_its_presigned_url()
    {
        using var provider = Provider();
        var chain = _harness.Chain([provider], "s3");
        var data = RandomNumberGenerator.GetBytes(100_000);

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request("video/webm"), new MemoryStream(data), CancellationToken.None));

        Assert.Equal("s3", result.File.Provider);
        Assert.StartsWith("stremora/videos/", result.File.Locator, StringComparison.Ordinal);
        Assert.Equal(data.Length, result.File.Bytes);
        var url = new Uri(result.File.ProviderUrl!);
        Assert.Equal("http", url.Scheme);
        var expires = int.Parse(System.Web.HttpUtility.ParseQueryString(url.Query)["X-Amz-Expires"]!, System.Globalization.CultureInfo.InvariantCulture);
        // Storage:S3:UrlExpiryMinutes' default, 15 minutes.
        Assert.InRange(expires, 840, 901);
        var fetched = await FetchAsync(result.File.ProviderUrl!);
        Assert.Equal((HttpStatusCode.OK, "video/webm"), (fetched.Status, fetched.ContentType));
        Assert.Equal(data, fetched.Body);
        Assert.Empty(await _bucket.MultipartUploadsAsync());
    }

    [Fact]
    public async Task With_a_public_address_presigned_urls_point_there_and_still_play()
    {
        // The service reaches S3 as 127.0.0.1 (in docker-compose: http://minio:9000); browsers reach it by another name.
        var inside = new Uri(MotoServer.Instance.Endpoint);
        var outside = $"http://localhost:{inside.Port}";
        using var provider = Provider(o => o.PublicServiceUrl = outside);
        var chain = _harness.Chain([provider], "s3");
        var data = RandomNumberGenerator.GetBytes(10_000);

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(data), CancellationToken.None));
        var url = await chain.GetPlaybackUrlAsync(result.File, CancellationToken.None);

        Assert.StartsWith(outside + "/", url, StringComparison.Ordinal);
        var fetched = await FetchAsync(url);
        Assert.Equal(HttpStatusCode.OK, fetched.Status);
        Assert.Equal(data, fetched.Body);
    }

    [Fact]
    public async Task A_file_of_several_parts_is_a_multipart_upload_with_identical_bytes()
    {
        using var provider = Provider();
        var chain = _harness.Chain([provider], "s3");
        var source = new GeneratedStream((3 * S3Options.MinPartSizeBytes) + 12_345);

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), source, CancellationToken.None));

        Assert.Equal(source.Sha256, result.File.Sha256);
        var fetched = await FetchAsync(await chain.GetPlaybackUrlAsync(result.File, CancellationToken.None));
        Assert.Equal(source.Sha256, Convert.ToHexStringLower(SHA256.HashData(fetched.Body)));
        using var client = MotoServer.Instance.CreateClient();
        var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket.Name, Key = result.File.Locator, PartNumber = 1 });
        Assert.Equal(4, head.PartsCount);
        Assert.Empty(await _bucket.MultipartUploadsAsync());
    }

    [Fact]
    public async Task Delete_removes_the_object_and_deleting_again_is_fine()
    {
        using var provider = Provider();
        var chain = _harness.Chain([provider], "s3");
        var stored = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(new byte[1000]), CancellationToken.None)).File;
        Assert.Equal([stored.Locator], await _bucket.KeysAsync());

        await chain.DeleteAsync(stored, CancellationToken.None);
        await chain.DeleteAsync(stored, CancellationToken.None);

        Assert.Empty(await _bucket.KeysAsync());
    }

    [Fact]
    public async Task A_client_that_drops_mid_upload_leaves_no_multipart_upload_and_no_object()
    {
        using var provider = Provider();
        var chain = _harness.Chain([provider], "s3");
        var source = new GeneratedStream(10 * S3Options.MinPartSizeBytes) { FailAfterBytes = (2 * S3Options.MinPartSizeBytes) + 1000 };

        Assert.IsType<IOException>(Assert.IsType<StoreOutcome.Aborted>(await chain.StoreAsync(Request(), source, CancellationToken.None)).Cause);

        Assert.Empty(await _bucket.MultipartUploadsAsync());
        Assert.Empty(await _bucket.KeysAsync());
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task A_client_that_stalls_mid_upload_does_not_time_the_provider_out_and_its_abandoned_upload_leaves_nothing()
    {
        using var provider = Provider();
        var chain = _harness.Chain([provider], "s3", configure: o => o.Providers["s3"] = new ProviderAttemptSettings { TimeoutSeconds = 1 });
        var pipe = new Pipe();
        using var caller = new CancellationTokenSource();

        // One part goes up, then the client keeps the connection open but sends nothing more.
        var store = chain.StoreAsync(Request(), pipe.Reader.AsStream(), caller.Token);
        await new GeneratedStream(S3Options.MinPartSizeBytes + 10).CopyToAsync(pipe.Writer.AsStream());

        // Twice the provider's time limit, all of it spent waiting for the client: not the provider's fault.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(store.IsCompleted);

        // The request is abandoned (Kestrel's minimum body rate, or the client going away).
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store);
        await pipe.Writer.CompleteAsync();

        Assert.Empty(await _bucket.MultipartUploadsAsync());
        Assert.Empty(await _bucket.KeysAsync());
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task A_missing_bucket_is_a_final_failure_named_by_status_and_code_only()
    {
        using var provider = Provider(o => o.BucketName = "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]);
        var chain = _harness.Chain([provider], "s3");

        var failure = Assert.IsType<StoreOutcome.AllFailed>(await chain.StoreAsync(Request(), new MemoryStream(new byte[100]), CancellationToken.None));

        Assert.Equal("S3 upload failed: 404 NoSuchBucket", Assert.Single(failure.Attempts).Error);
    }

    [Fact]
    public async Task The_sweep_aborts_old_unfinished_uploads_under_the_prefix_whose_keys_are_ours_only()
    {
        using var provider = Provider();
        using var client = MotoServer.Instance.CreateClient();
        await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket.Name, Key = "stremora/videos/abandoned/video" });
        await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket.Name, Key = "stremora/backups/nightly.tar" });
        await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket.Name, Key = "someone-else/file" });
        var askedAbout = new List<string>();

        // moto reports a fixed Initiated time (2010), so only real S3 can show the age filter; here everything is old.
        Assert.Equal(1, await provider.AbortAbandonedUploadsAsync(TimeSpan.Zero, Recognise(askedAbout, "videos/"), CancellationToken.None));
        Assert.Equal(0, await provider.AbortAbandonedUploadsAsync(TimeSpan.Zero, Recognise(askedAbout, "videos/"), CancellationToken.None));

        Assert.Equal(["someone-else/file", "stremora/backups/nightly.tar"], (await _bucket.MultipartUploadsAsync()).Order(StringComparer.Ordinal));
        Assert.Contains("backups/nightly.tar", askedAbout);
    }

    [Fact]
    public async Task A_key_prefix_without_its_slash_is_still_a_folder_so_a_sibling_folder_is_neither_listed_nor_swept()
    {
        using var provider = Provider(o => o.KeyPrefix = "stremora");
        var chain = _harness.Chain([provider], "s3");
        using var client = MotoServer.Instance.CreateClient();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket.Name, Key = "stremora-backups/db.dump", InputStream = new MemoryStream(new byte[10]) });
        await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket.Name, Key = "stremora-backups/videos/0123456789abcdef0123456789abcdef/video" });

        var stored = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(new byte[100]), CancellationToken.None));
        var listed = new List<string>();
        await foreach (var file in provider.ListAsync(CancellationToken.None))
        {
            listed.Add(file.File.Locator);
        }

        Assert.StartsWith("stremora/videos/", stored.File.Locator, StringComparison.Ordinal);
        Assert.Equal([stored.File.Locator], listed);
        Assert.Equal(0, await provider.AbortAbandonedUploadsAsync(TimeSpan.Zero, _ => true, CancellationToken.None));
        Assert.Equal(["stremora-backups/videos/0123456789abcdef0123456789abcdef/video"], await _bucket.MultipartUploadsAsync());
    }

    [Fact]
    public async Task Without_a_key_prefix_the_sweep_refuses_to_run_and_says_which_setting_is_missing()
    {
        using var provider = Provider(o => o.KeyPrefix = "");
        using var client = MotoServer.Instance.CreateClient();
        await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket.Name, Key = "videos/0123456789abcdef0123456789abcdef/video" });

        var refused = await Assert.ThrowsAsync<StorageProviderException>(() => provider.AbortAbandonedUploadsAsync(TimeSpan.Zero, _ => true, CancellationToken.None));

        Assert.Contains("Storage:S3:KeyPrefix", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["videos/0123456789abcdef0123456789abcdef/video"], await _bucket.MultipartUploadsAsync());
    }

    private static Func<string, bool> Recognise(List<string> askedAbout, string ours) => key =>
    {
        askedAbout.Add(key);
        return key.StartsWith(ours, StringComparison.Ordinal);
    };
}
