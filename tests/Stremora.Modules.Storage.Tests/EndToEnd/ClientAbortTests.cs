using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Faults;
using Stremora.TestKit.Streams;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

/// <summary>
/// The client going away half-way is not a provider failure: the upload stops, the client's error
/// comes back, and nothing is left behind, not even the S3 multipart upload that fallback had started.
/// </summary>
public sealed class ClientAbortTests : IClassFixture<ProxiedS3Fixture>
{
    private readonly ProxiedS3Fixture _fixture;

    public ClientAbortTests(ProxiedS3Fixture fixture)
    {
        _fixture = fixture;
        _fixture.Cloudinary.Faults.Clear();
        _fixture.S3Proxy.Fault = TcpFault.None;
    }

    [Fact]
    public async Task A_client_that_goes_away_during_the_s3_fallback_leaves_no_multipart_upload_and_no_spool_file()
    {
        _fixture.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        using var s3Calls = OutgoingRequestLog.To(_fixture.S3Proxy.Port);

        // Cloudinary fails on its first 5 MiB chunk; S3 starts a multipart upload, sends part 1 and starts
        // part 2 (5-10 MiB, all arrived); only then does the client go away, at 12 MB.
        await using var video = new GeneratedStream(30_000_000, seed: 41, header: Samples.Mp4Prefix(30_000_000))
        {
            FailAfterBytes = 12_000_000,
            BeforeFailing = () => Eventually.UntilAsync(
                () => s3Calls.Requests.Any(c => c.StartsWith("PUT ", StringComparison.Ordinal) && c.Contains("partNumber=2", StringComparison.Ordinal)),
                "S3 started sending part 2",
                TimeSpan.FromSeconds(60)),
        };

        var failure = Assert.IsType<IOException>(Assert.IsType<StoreOutcome.Aborted>(await _fixture.Storage.StoreAsync(Uploads.VideoRequest("client-gone"), video, CancellationToken.None)).Cause);

        Assert.Equal("The client went away mid-upload.", failure.Message);
        var calls = s3Calls.Requests;
        Assert.Contains(calls, c => c.StartsWith("POST ", StringComparison.Ordinal) && c.Contains("?uploads", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("PUT ", StringComparison.Ordinal) && c.Contains("partNumber=1", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("DELETE ", StringComparison.Ordinal) && c.Contains("uploadId=", StringComparison.Ordinal));
        Assert.Empty(await _fixture.Bucket.MultipartUploadsAsync());
        Assert.Empty(await _fixture.Bucket.KeysAsync());
        Assert.Empty(_fixture.Cloudinary.Assets);
        Assert.Empty(Directory.GetFiles(_fixture.Host.SpoolDirectory));
    }

    [Fact]
    public async Task A_client_that_goes_away_does_not_count_against_the_providers_circuits()
    {
        var before = _fixture.Chain.Links.Select(l => l.Stats.Snapshot()).ToList();
        await using var video = new GeneratedStream(8_000_000, seed: 42, header: Samples.Mp4Prefix(8_000_000)) { FailAfterBytes = 1_000_000 };

        Assert.IsType<IOException>(Assert.IsType<StoreOutcome.Aborted>(await _fixture.Storage.StoreAsync(Uploads.VideoRequest("client-gone-early"), video, CancellationToken.None)).Cause);

        Assert.Equal(before, _fixture.Chain.Links.Select(l => l.Stats.Snapshot()).ToList());
        Assert.All(_fixture.Chain.Links, l => Assert.Equal("closed", l.CircuitState));
        Assert.Empty(Directory.GetFiles(_fixture.Host.SpoolDirectory));
    }
}
