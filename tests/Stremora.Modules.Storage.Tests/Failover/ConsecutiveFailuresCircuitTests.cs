using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Tests.Failover;

/// <summary>
/// The chain's circuit (MinimumThroughput 2, FailureRatio 1, 30 s break; see <see cref="ChainHarness"/>) opens
/// after that many consecutive failures, whatever succeeded before them inside the sampling window.
/// </summary>
public sealed class ConsecutiveFailuresCircuitTests : IDisposable
{
    private readonly ChainHarness _harness = new();
    private readonly MemoryProvider _cloudinary = new("cloudinary");
    private readonly MemoryProvider _s3 = new("s3");
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Failures_right_after_successes_open_the_circuit_once_they_are_consecutive()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3", _time, o => o.CircuitBreaker.SamplingDurationSeconds = 300);
        var link = chain.Links[0];
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal([("cloudinary", AttemptOutcomes.Stored)], await StoreAsync(chain));
        }

        _cloudinary.Fault = MemoryProviderFault.FailImmediately;
        Assert.Equal([("cloudinary", AttemptOutcomes.Failed), ("s3", AttemptOutcomes.Stored)], await StoreAsync(chain));
        Assert.Equal(CircuitStates.Closed, link.CircuitState);
        Assert.Equal([("cloudinary", AttemptOutcomes.Failed), ("s3", AttemptOutcomes.Stored)], await StoreAsync(chain));

        Assert.Equal(CircuitStates.Open, link.CircuitState);
        var uploads = _cloudinary.Uploads;
        Assert.Equal([("cloudinary", AttemptOutcomes.Skipped), ("s3", AttemptOutcomes.Stored)], await StoreAsync(chain));
        Assert.Equal(uploads, _cloudinary.Uploads);
    }

    [Fact]
    public async Task A_success_between_failures_restarts_the_count()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3", _time);
        var link = chain.Links[0];

        _cloudinary.Fault = MemoryProviderFault.FailImmediately;
        await StoreAsync(chain);
        _cloudinary.Fault = MemoryProviderFault.None;
        await StoreAsync(chain);
        _cloudinary.Fault = MemoryProviderFault.FailImmediately;
        await StoreAsync(chain);

        Assert.Equal(CircuitStates.Closed, link.CircuitState);
        await StoreAsync(chain);
        Assert.Equal(CircuitStates.Open, link.CircuitState);
    }

    [Fact]
    public async Task Below_a_failure_ratio_of_one_the_window_counts_successes_too()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3", _time, o =>
        {
            o.CircuitBreaker.FailureRatio = 0.5;
            o.CircuitBreaker.MinimumThroughput = 4;
        });
        var link = chain.Links[0];

        // Success, failure, success, failure: half of four attempts failed, which is the configured ratio.
        foreach (var fault in new[] { MemoryProviderFault.None, MemoryProviderFault.FailImmediately, MemoryProviderFault.None, MemoryProviderFault.FailImmediately })
        {
            _cloudinary.Fault = fault;
            await StoreAsync(chain);
        }

        Assert.Equal(CircuitStates.Open, link.CircuitState);
    }

    private static async Task<List<(string Provider, string Outcome)>> StoreAsync(FailoverChain chain)
    {
        var request = new StoreFileRequest(StoredFileKind.Video, $"videos/{Guid.NewGuid():N}/video", "video/mp4", 1_000_000);
        var result = await chain.StoreAsync(request, new MemoryStream(RandomNumberGenerator.GetBytes(10_000)), CancellationToken.None);
        return result.Attempts.Select(a => (a.Provider, a.Outcome)).ToList();
    }
}
