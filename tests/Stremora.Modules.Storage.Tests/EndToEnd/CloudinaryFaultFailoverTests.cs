using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.Streams;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

/// <summary>Short Cloudinary time limits (the hang case), and a circuit that never opens so each fault is tried on its own.</summary>
public sealed class CloudinaryFaultFixture : FailoverHostFixture
{
    public const int IdleTimeoutSeconds = 2;

    protected override Task ConfigureAsync(StremoraApiFactory host)
    {
        host.With("Storage:Providers:cloudinary:IdleTimeoutSeconds", IdleTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        host.With("Storage:Providers:cloudinary:TimeoutSeconds", "60");
        host.With("Storage:CircuitBreaker:MinimumThroughput", "1000");
        return Task.CompletedTask;
    }
}

/// <summary>
/// Whatever way Cloudinary fails, the file lands on S3 with identical bytes (read
/// back through the presigned URL) and the attempts list Cloudinary's failure, with no secret in it.
/// </summary>
public sealed class CloudinaryFaultFailoverTests : IClassFixture<CloudinaryFaultFixture>
{
    private const long FileBytes = 1_000_000;

    private readonly CloudinaryFaultFixture _fixture;

    public CloudinaryFaultFailoverTests(CloudinaryFaultFixture fixture)
    {
        _fixture = fixture;
        _fixture.Cloudinary.Faults.Clear();
    }

    [Theory]
    [InlineData(FakeCloudinaryFault.InternalServerError, "cloudinary failed with a server error (500)")]
    [InlineData(FakeCloudinaryFault.ServiceUnavailable, "cloudinary failed with a server error (503)")]
    [InlineData(FakeCloudinaryFault.RateLimited, "cloudinary is limiting the request rate (420)")]
    [InlineData(FakeCloudinaryFault.TooManyRequests, "cloudinary is limiting the request rate (429)")]
    [InlineData(FakeCloudinaryFault.Hang, "no progress for 2 s")]
    [InlineData(FakeCloudinaryFault.ResetMidBody, "cloudinary could not be reached")]
    [InlineData(FakeCloudinaryFault.WrongBytes, "cloudinary reported 1000001 bytes stored but 1000000 were sent")]
    [InlineData(FakeCloudinaryFault.InvalidJson, "cloudinary answered with an upload result that is not the expected JSON")]
    [InlineData(FakeCloudinaryFault.WrongEtag, "cloudinary reported a different MD5 than was sent")]
    public async Task Each_cloudinary_fault_puts_the_file_on_s3_with_identical_bytes_and_lists_the_cloudinary_failure(FakeCloudinaryFault fault, string error)
    {
        var cloudinary = _fixture.Cloudinary;
        cloudinary.Faults.FailAll(fault);
        var before = cloudinary.RequestCount;
        await using var video = new GeneratedStream(FileBytes, seed: 100 + (ulong)fault, header: Samples.Mp4Prefix(FileBytes));
        var request = Uploads.VideoRequest($"fault-{fault}");

        var result = Assert.IsType<StoreOutcome.Stored>(await _fixture.Storage.StoreAsync(request, video, CancellationToken.None));
        cloudinary.Faults.Clear();

        Assert.Collection(
            result.Attempts,
            failed =>
            {
                Assert.Equal(("cloudinary", "failed"), (failed.Provider, failed.Outcome));
                Assert.False(string.IsNullOrWhiteSpace(failed.Error));
                // Words only: neither Cloudinary's own text nor its address (those go to the log).
                Assert.Equal(error, failed.Error);
                Assert.DoesNotContain(cloudinary.BaseAddress.Authority, failed.Error, StringComparison.Ordinal);
                Assert.DoesNotContain(cloudinary.ApiSecret, failed.Error, StringComparison.Ordinal);
                Assert.DoesNotContain(cloudinary.ApiKey, failed.Error, StringComparison.Ordinal);
                Assert.DoesNotContain("signature", failed.Error, StringComparison.OrdinalIgnoreCase);
            },
            stored => Assert.Equal(("s3", "stored", (string?)null), (stored.Provider, stored.Outcome, stored.Error)));

        // The fault really was served: Cloudinary was asked (and not simply skipped).
        Assert.Contains(cloudinary.Requests.Skip(before), r => r.Operation == "upload" && r.Fault == fault);

        Assert.Equal("s3", result.File.Provider);
        Assert.Equal((FileBytes, video.Sha256), (result.File.Bytes, result.File.Sha256));
        Assert.Contains("X-Amz-Signature=", result.File.ProviderUrl!, StringComparison.Ordinal);
        Assert.Equal((FileBytes, video.Sha256), await Uploads.FetchAsync(result.File.ProviderUrl!));
        Assert.Contains(result.File.Locator, await _fixture.Bucket.KeysAsync());

        // Cloudinary keeps nothing of the failed attempt (a wrong-size or unreadable result is destroyed).
        Assert.DoesNotContain(cloudinary.Assets, a => a.PublicId.EndsWith(request.Key, StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_fixture.Host.SpoolDirectory));
    }
}
