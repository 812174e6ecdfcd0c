using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Tests.Failover;

public sealed class StorageHealthCheckTests : IDisposable
{
    private readonly ChainHarness _harness = new();
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryProvider _cloudinary = new("cloudinary") { Fault = MemoryProviderFault.FailImmediately };
    private readonly MemoryProvider _s3 = new("s3") { Fault = MemoryProviderFault.FailImmediately };

    public void Dispose() => _harness.Dispose();

    private static async Task<HealthStatus> StatusAsync(FailoverChain chain) =>
        (await new StorageHealthCheck(chain).CheckHealthAsync(
            new HealthCheckContext { Registration = new HealthCheckRegistration("storage", _ => null!, HealthStatus.Unhealthy, null) })).Status;

    private static async Task FailTwiceAsync(FailoverChain chain)
    {
        for (var i = 0; i < 2; i++)
        {
            Assert.IsType<StoreOutcome.AllFailed>(await chain.StoreAsync(
                new StoreFileRequest(StoredFileKind.Video, "videos/x/video", "video/mp4", 1000), new MemoryStream(new byte[10]), CancellationToken.None));
        }
    }

    [Fact]
    public async Task Healthy_with_every_circuit_closed_and_degraded_with_one_or_all_open()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3", _time);
        Assert.Equal(HealthStatus.Healthy, await StatusAsync(chain));

        // Both fail twice: with MinimumThroughput 2 both circuits open. Uploads answer 503 on their own;
        // reads still work, so the instance stays ready (Degraded).
        await FailTwiceAsync(chain);
        Assert.Equal(HealthStatus.Degraded, await StatusAsync(chain));

        // After the break a probe may go through again: not healthy yet, but uploads can be taken.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HealthStatus.Degraded, await StatusAsync(chain));

        _s3.Fault = MemoryProviderFault.None;
        await chain.StoreAsync(new StoreFileRequest(StoredFileKind.Video, "videos/y/video", "video/mp4", 1000), new MemoryStream(new byte[10]), CancellationToken.None);
        Assert.Equal(
            [("cloudinary", CircuitStates.Open), ("s3", CircuitStates.Closed)],
            chain.Links.Select(l => (l.Name, l.CircuitState)));
        Assert.Equal(HealthStatus.Degraded, await StatusAsync(chain));
    }
}
