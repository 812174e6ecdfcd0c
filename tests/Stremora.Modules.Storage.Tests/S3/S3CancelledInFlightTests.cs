using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.S3;
using Stremora.Modules.Storage.Tests.Failover;
using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.S3;
using Stremora.TestKit.Streams;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Tests.S3;

/// <summary>
/// S3 may carry out a request whose answer the service never got (the client went away, the attempt
/// timed out): a multipart upload initiated that way has no id on our side, yet it must not be left behind.
/// </summary>
public sealed class S3CancelledInFlightTests : IAsyncLifetime, IDisposable
{
    private readonly ChainHarness _harness = new();
    private TestBucket _bucket = null!;
    private AnswerHoldingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _bucket = await MotoServer.Instance.CreateBucketAsync();
        _proxy = new AnswerHoldingProxy(new Uri(_bucket.Server.Endpoint));
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_multipart_upload_initiated_without_an_answer_is_aborted_when_the_client_goes_away()
    {
        var options = S3TestOptions.For(_bucket.Settings);
        options.ServiceUrl = _proxy.BaseAddress.ToString().TrimEnd('/');
        options.PartSizeBytes = S3Options.MinPartSizeBytes;
        using var provider = new S3StorageProvider(Options.Create(options), TimeProvider.System, NullLogger<S3StorageProvider>.Instance);
        var chain = _harness.Chain([provider], "s3");

        // Every S3 answer is held back; the client goes away once S3 has really started the multipart upload.
        _proxy.Holding = true;
        await using var video = new GeneratedStream(20_000_000, seed: 51, header: Samples.Mp4Prefix(20_000_000))
        {
            FailAfterBytes = 6_000_000,
            BeforeFailing = async () =>
            {
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while ((await _bucket.MultipartUploadsAsync()).Count == 0)
                {
                    Assert.True(DateTime.UtcNow < deadline, "S3 never started the multipart upload.");
                    await Task.Delay(50);
                }

                _proxy.Holding = false;
            },
        };

        Assert.IsType<IOException>(Assert.IsType<StoreOutcome.Aborted>(await chain.StoreAsync(Uploads.VideoRequest("in-flight"), video, CancellationToken.None)).Cause);

        Assert.Empty(await _bucket.MultipartUploadsAsync());
        Assert.Empty(await _bucket.KeysAsync());
        Assert.Empty(_harness.SpoolFiles());
    }
}
