using System.Net;
using System.Text.Json;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Faults;
using Stremora.TestKit.Host;
using Stremora.TestKit.Streams;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

/// <summary>S3 reached through a TCP fault proxy in front of moto_server, so a test can refuse or cut its connections.</summary>
public sealed class ProxiedS3Fixture : FailoverHostFixture
{
    public TcpFaultProxy S3Proxy { get; private set; } = null!;

    protected override Task ConfigureAsync(StremoraApiFactory host)
    {
        var moto = new Uri(Bucket.Server.Endpoint);
        S3Proxy = new TcpFaultProxy(moto.Host, moto.Port);
        host.With("AWS_ENDPOINT_URL_S3", S3Proxy.BaseAddress.ToString().TrimEnd('/'));

        // 5 MiB parts and chunks: a 12 MB file is a multipart upload that can be cut after it was
        // started, and a failing Cloudinary gives up after the first 5 MiB instead of 20 MB.
        host.With("Storage:S3:PartSizeBytes", "5242880");
        host.With("Storage:Cloudinary:ChunkSizeBytes", "5242880");

        // A hanging S3 is given up on quickly.
        host.With("Storage:Providers:s3:IdleTimeoutSeconds", "2");
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await S3Proxy.DisposeAsync();
    }
}

/// <summary>
/// With Cloudinary and S3 both down the caller gets an error listing both
/// attempts, and nothing is left behind: no asset or pending chunked upload on Cloudinary, no object
/// or unfinished multipart upload in the bucket, no spool file.
/// </summary>
public sealed class AllProvidersDownTests : IClassFixture<ProxiedS3Fixture>
{
    private readonly ProxiedS3Fixture _fixture;

    public AllProvidersDownTests(ProxiedS3Fixture fixture)
    {
        _fixture = fixture;
        _fixture.Cloudinary.Faults.Clear();
        _fixture.S3Proxy.Fault = TcpFault.None;
    }

    [Fact]
    public async Task Cloudinary_failing_and_s3_refusing_connections_fail_with_both_attempts_and_leave_nothing()
    {
        _fixture.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        _fixture.S3Proxy.Fault = TcpFault.Refuse;
        await using var video = new GeneratedStream(1_000_000, seed: 21, header: Samples.Mp4Prefix(1_000_000));

        var failure = Assert.IsType<StoreOutcome.AllFailed>(await _fixture.Storage.StoreAsync(Uploads.VideoRequest("both-down"), video, CancellationToken.None));

        AssertBothFailed(failure.Attempts.Select(a => (a.Provider, a.Outcome, a.Error)).ToList());
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Cloudinary_failing_and_s3_hanging_fail_with_both_attempts_once_s3_makes_no_progress()
    {
        _fixture.Cloudinary.Faults.FailAll(FakeCloudinaryFault.RateLimited);
        _fixture.S3Proxy.Fault = TcpFault.Hang;
        await using var video = new GeneratedStream(700_000, seed: 24, header: Samples.Mp4Prefix(700_000));

        var failure = Assert.IsType<StoreOutcome.AllFailed>(await _fixture.Storage.StoreAsync(Uploads.VideoRequest("s3-hangs"), video, CancellationToken.None));

        Assert.Equal(
            [("cloudinary", "failed", "cloudinary is limiting the request rate (420)"), ("s3", "failed", "no progress for 2 s")],
            failure.Attempts.Select(a => (a.Provider, a.Outcome, a.Error)));
        _fixture.S3Proxy.Fault = TcpFault.None;
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task An_s3_multipart_upload_cut_mid_part_after_cloudinary_failed_is_aborted_and_nothing_is_left()
    {
        _fixture.Cloudinary.Faults.FailAll(FakeCloudinaryFault.ServiceUnavailable);

        // Each connection may carry 64 KB of request: enough to start a multipart upload (and to abort it), not to send a part.
        _fixture.S3Proxy.Fault = TcpFault.CutMidStream;
        using var s3Calls = OutgoingRequestLog.To(_fixture.S3Proxy.Port);
        await using var video = new GeneratedStream(12_000_000, seed: 22, header: Samples.Mp4Prefix(12_000_000));

        var failure = Assert.IsType<StoreOutcome.AllFailed>(await _fixture.Storage.StoreAsync(Uploads.VideoRequest("both-down-multipart"), video, CancellationToken.None));

        AssertBothFailed(failure.Attempts.Select(a => (a.Provider, a.Outcome, a.Error)).ToList());

        // The multipart upload was started, a part was sent (and cut), and the upload was aborted.
        var calls = s3Calls.Requests;
        Assert.Contains(calls, c => c.StartsWith("POST ", StringComparison.Ordinal) && c.Contains("?uploads", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("PUT ", StringComparison.Ordinal) && c.Contains("partNumber=1", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("DELETE ", StringComparison.Ordinal) && c.Contains("uploadId=", StringComparison.Ordinal));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task An_upload_over_http_answers_503_problem_listing_both_attempts_and_leaves_nothing()
    {
        _fixture.Cloudinary.Faults.FailAll(FakeCloudinaryFault.TooManyRequests);
        _fixture.S3Proxy.Fault = TcpFault.Refuse;
        using var client = _fixture.Host.ClientFor("both-down-uploader");
        await using var video = new GeneratedStream(1_500_000, seed: 23, header: Samples.Mp4Prefix(1_500_000));
        using var form = new UploadForm().Field("title", "Nowhere to go").Field("description", "Both providers are down.").File("video", video, "video/mp4", "clip.mp4").Build();

        using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), form);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var attempts = json.RootElement.GetProperty("attempts").EnumerateArray()
            .Select(a => (a.GetProperty("provider").GetString()!, a.GetProperty("outcome").GetString()!, a.GetProperty("error").GetString()))
            .ToList();
        AssertBothFailed(attempts);
        Assert.DoesNotContain(_fixture.Cloudinary.ApiSecret, body, StringComparison.Ordinal);
        Assert.DoesNotContain(_fixture.Bucket.Server.SecretKey, body, StringComparison.Ordinal);
        await AssertNothingLeftAsync();
    }

    private static void AssertBothFailed(List<(string Provider, string Outcome, string? Error)> attempts)
    {
        Assert.Equal([("cloudinary", "failed"), ("s3", "failed")], attempts.Select(a => (a.Provider, a.Outcome)));
        Assert.All(attempts, a => Assert.False(string.IsNullOrWhiteSpace(a.Error)));
        Assert.StartsWith("cloudinary ", attempts[0].Error, StringComparison.Ordinal);
        Assert.StartsWith("S3 upload failed", attempts[1].Error, StringComparison.Ordinal);
    }

    private async Task AssertNothingLeftAsync()
    {
        Assert.Empty(_fixture.Cloudinary.Assets);
        Assert.Equal(0, _fixture.Cloudinary.PendingChunkedUploads);
        Assert.Empty(await _fixture.Bucket.KeysAsync());
        Assert.Empty(await _fixture.Bucket.MultipartUploadsAsync());
        Assert.Empty(Directory.GetFiles(_fixture.Host.SpoolDirectory));
    }
}
