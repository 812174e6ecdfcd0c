using System.IO.Pipelines;
using Microsoft.Extensions.Time.Testing;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.TestKit.Streams;

namespace Stremora.Modules.Storage.Tests.Failover;

/// <summary>
/// An upload the client abandons proves nothing about the provider. While the circuit is closed it must
/// not count against the provider; when it was the half-open probe it must not close the circuit either:
/// the circuit stays open for another break and the next upload after that probes again.
/// (MinimumThroughput 2, 30 s break; see <see cref="ChainHarness"/>.)
/// </summary>
public sealed class AbortedProbeCircuitTests : IDisposable
{
    private readonly ChainHarness _harness = new();
    private readonly MemoryProvider _cloudinary = new("cloudinary");
    private readonly MemoryProvider _s3 = new("s3");
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _harness.Dispose();

    private static StoreFileRequest Request() =>
        new(StoredFileKind.Video, $"videos/{Guid.NewGuid():N}/video", "video/mp4", 10_000_000);

    private static async Task<List<(string Provider, string Outcome)>> StoreAsync(FailoverChain chain)
    {
        var result = await chain.StoreAsync(Request(), new GeneratedStream(10_000), CancellationToken.None);
        return result.Attempts.Select(a => (a.Provider, a.Outcome)).ToList();
    }

    /// <summary>Two failures open the circuit; once the break is over the provider is healthy and the next upload probes it.</summary>
    private async Task<(FailoverChain Chain, ChainLink Link)> HalfOpenChainAsync()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3", _time);
        var link = chain.Links[0];
        _cloudinary.Fault = MemoryProviderFault.FailImmediately;
        await StoreAsync(chain);
        await StoreAsync(chain);
        Assert.Equal(CircuitStates.Open, link.CircuitState);
        _cloudinary.Fault = MemoryProviderFault.None;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CircuitStates.HalfOpen, link.CircuitState);
        return (chain, link);
    }

    /// <summary>After an aborted probe: skipped for another break, then probed and closed by a real success.</summary>
    private async Task AssertStillOpenUntilARealProbeAsync(FailoverChain chain, ChainLink link)
    {
        Assert.Equal(CircuitStates.Open, link.CircuitState);
        Assert.Equal([("cloudinary", AttemptOutcomes.Skipped), ("s3", AttemptOutcomes.Stored)], await StoreAsync(chain));

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal([("cloudinary", AttemptOutcomes.Stored)], await StoreAsync(chain));
        Assert.Equal(CircuitStates.Closed, link.CircuitState);
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task A_client_that_drops_during_the_half_open_probe_leaves_the_circuit_open()
    {
        var (chain, link) = await HalfOpenChainAsync();

        Assert.IsType<IOException>(Assert.IsType<StoreOutcome.Aborted>(await chain.StoreAsync(Request(), new GeneratedStream(1_000_000) { FailAfterBytes = 200_000 }, CancellationToken.None)).Cause);

        Assert.Equal(3, _cloudinary.Uploads);
        await AssertStillOpenUntilARealProbeAsync(chain, link);
    }

    [Fact]
    public async Task A_caller_that_cancels_during_the_half_open_probe_leaves_the_circuit_open()
    {
        var (chain, link) = await HalfOpenChainAsync();
        var pipe = new Pipe();
        using var caller = new CancellationTokenSource();

        var store = chain.StoreAsync(Request(), pipe.Reader.AsStream(), caller.Token);
        await _cloudinary.WaitingForClient.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store);
        await pipe.Writer.CompleteAsync();
        Assert.Equal(3, _cloudinary.Uploads);
        await AssertStillOpenUntilARealProbeAsync(chain, link);
    }

    [Fact]
    public async Task Clients_that_drop_while_the_circuit_is_closed_do_not_open_it()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3", _time);

        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<IOException>(Assert.IsType<StoreOutcome.Aborted>(await chain.StoreAsync(Request(), new GeneratedStream(1_000_000) { FailAfterBytes = 200_000 }, CancellationToken.None)).Cause);
        }

        Assert.Equal(CircuitStates.Closed, chain.Links[0].CircuitState);
        Assert.Equal([("cloudinary", AttemptOutcomes.Stored)], await StoreAsync(chain));
    }

    [Fact]
    public async Task A_client_that_drops_during_an_outage_does_not_hold_the_circuit_closed()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3", _time);
        _cloudinary.Fault = MemoryProviderFault.FailImmediately;
        await StoreAsync(chain);

        // Cloudinary answers for a moment and the client drops during its attempt; then it is down again.
        _cloudinary.Fault = MemoryProviderFault.None;
        Assert.IsType<IOException>(Assert.IsType<StoreOutcome.Aborted>(await chain.StoreAsync(Request(), new GeneratedStream(1_000_000) { FailAfterBytes = 200_000 }, CancellationToken.None)).Cause);
        _cloudinary.Fault = MemoryProviderFault.FailImmediately;
        _time.Advance(TimeSpan.FromSeconds(1));

        // Two failures in a row after the abort open it, well inside the 5-minute sampling window.
        Assert.Equal([("cloudinary", AttemptOutcomes.Failed), ("s3", AttemptOutcomes.Stored)], await StoreAsync(chain));
        Assert.Equal([("cloudinary", AttemptOutcomes.Failed), ("s3", AttemptOutcomes.Stored)], await StoreAsync(chain));
        Assert.Equal(CircuitStates.Open, chain.Links[0].CircuitState);
        Assert.Equal([("cloudinary", AttemptOutcomes.Skipped), ("s3", AttemptOutcomes.Stored)], await StoreAsync(chain));
    }
}
