using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.Streams;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

public class CircuitBreakerFixture : FailoverHostFixture
{
    public const int FailuresToOpen = 3;

    protected override Task ConfigureAsync(StremoraApiFactory host)
    {
        host.With("Storage:CircuitBreaker:MinimumThroughput", FailuresToOpen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        host.With("Storage:CircuitBreaker:FailureRatio", "1");
        host.With("Storage:CircuitBreaker:SamplingDurationSeconds", "120");
        host.With("Storage:CircuitBreaker:BreakDurationSeconds", "2");
        return Task.CompletedTask;
    }
}

/// <summary>A host of its own: its Cloudinary circuit starts with a success in the window.</summary>
public sealed class CircuitAfterSuccessFixture : CircuitBreakerFixture;

/// <summary>
/// After N consecutive Cloudinary failures its circuit opens and the next upload
/// goes straight to S3 (Cloudinary receives nothing); after the cool-down Cloudinary is tried again.
/// Asserted on what the fake received and on the recorded attempts, never on elapsed time.
/// </summary>
public sealed class CircuitBreakerFailoverTests : IClassFixture<CircuitBreakerFixture>
{
    private readonly CircuitBreakerFixture _fixture;

    public CircuitBreakerFailoverTests(CircuitBreakerFixture fixture)
    {
        _fixture = fixture;
        _fixture.Cloudinary.Faults.Clear();
    }

    [Fact]
    public async Task Consecutive_cloudinary_failures_open_its_circuit_and_after_the_cool_down_it_is_tried_again()
    {
        var cloudinary = _fixture.Cloudinary;
        var link = _fixture.Chain.Links.Single(l => l.Name == "cloudinary");
        Assert.Equal("closed", link.CircuitState);
        cloudinary.Faults.FailAll(FakeCloudinaryFault.ServiceUnavailable);

        // N failures in a row: each one is tried, fails, and the file goes to S3.
        for (var i = 0; i < CircuitBreakerFixture.FailuresToOpen; i++)
        {
            var before = cloudinary.RequestCount;
            var result = await StoreAsync($"failing-{i}");
            Assert.Equal([("cloudinary", "failed"), ("s3", "stored")], Outcomes(result));
            Assert.Equal(before + 1, cloudinary.RequestCount);
        }

        Assert.Equal("open", link.CircuitState);
        Assert.Equal([("cloudinary", "open"), ("s3", "closed")], await AdminCircuitStatesAsync());

        // Open: the next upload is not offered to Cloudinary at all.
        await AssertSkippedAsync("while-open");

        // Cool-down over, Cloudinary still failing: it gets exactly one probe, which fails and re-opens the circuit.
        await WaitForHalfOpenAsync(link);
        var probeBefore = cloudinary.RequestCount;
        var probe = await StoreAsync("probe-fails");
        Assert.Equal([("cloudinary", "failed"), ("s3", "stored")], Outcomes(probe));
        Assert.Equal(probeBefore + 1, cloudinary.RequestCount);
        Assert.Equal("open", link.CircuitState);
        await AssertSkippedAsync("reopened");

        // Cool-down over and Cloudinary healthy again: it is tried, stores the file, and the circuit closes.
        await WaitForHalfOpenAsync(link);
        cloudinary.Faults.Clear();
        var recoveredBefore = cloudinary.RequestCount;
        await using var video = new GeneratedStream(600_000, seed: 31, header: Samples.Mp4Prefix(600_000));
        var recovered = Assert.IsType<StoreOutcome.Stored>(await _fixture.Storage.StoreAsync(Uploads.VideoRequest("recovered"), video, CancellationToken.None));
        Assert.Equal([("cloudinary", "stored")], Outcomes(recovered));
        Assert.True(cloudinary.RequestCount > recoveredBefore);
        Assert.Contains(cloudinary.Assets, a => a.PublicId == recovered.File.Locator && a.Sha256 == video.Sha256);
        Assert.Equal("closed", link.CircuitState);
        Assert.Equal([("cloudinary", "closed"), ("s3", "closed")], await AdminCircuitStatesAsync());
    }

    /// <summary>What an operator sees: GET /api/admin/storage, providers in chain order.</summary>
    private async Task<List<(string?, string?)>> AdminCircuitStatesAsync()
    {
        using var admin = _fixture.Host.ClientFor("operator", admin: true);
        using var json = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync(new Uri("/api/admin/storage", UriKind.Relative)));
        return json.RootElement.GetProperty("providers").EnumerateArray()
            .Select(p => (p.GetProperty("name").GetString(), p.GetProperty("circuitState").GetString()))
            .ToList();
    }

    private async Task AssertSkippedAsync(string name)
    {
        var before = _fixture.Cloudinary.RequestCount;
        var taken = _fixture.Cloudinary.Faults.Taken;
        await using var video = new GeneratedStream(500_000, seed: (ulong)name.Length, header: Samples.Mp4Prefix(500_000));

        var result = Assert.IsType<StoreOutcome.Stored>(await _fixture.Storage.StoreAsync(Uploads.VideoRequest(name), video, CancellationToken.None));

        Assert.Equal([("cloudinary", "skipped"), ("s3", "stored")], Outcomes(result));
        Assert.Equal("circuit open", result.Attempts[0].Error);
        Assert.Equal(before, _fixture.Cloudinary.RequestCount);
        Assert.Equal(taken, _fixture.Cloudinary.Faults.Taken);
        Assert.Equal((video.Length, video.Sha256), await Uploads.FetchAsync(result.File.ProviderUrl!));
    }

    private async Task<StoreOutcome> StoreAsync(string name)
    {
        await using var video = new GeneratedStream(500_000, seed: (ulong)name.Length, header: Samples.Mp4Prefix(500_000));
        return await _fixture.Storage.StoreAsync(Uploads.VideoRequest(name), video, CancellationToken.None);
    }

    /// <summary>Waits out the configured 2 s break by polling the circuit (it reports half-open once a probe would be let through).</summary>
    private static Task WaitForHalfOpenAsync(Modules.Storage.Failover.ChainLink link) =>
        Eventually.UntilAsync(() => link.CircuitState == "half-open", "the cloudinary circuit's break elapsed", TimeSpan.FromSeconds(30));

    private static List<(string Provider, string Outcome)> Outcomes(StoreOutcome result) =>
        result.Attempts.Select(a => (a.Provider, a.Outcome)).ToList();
}

/// <summary>
/// "N consecutive failures" means consecutive: a success shortly before an outage must not keep
/// Cloudinary's circuit closed (and every upload waiting on it) until that success ages out of the window.
/// </summary>
public sealed class CircuitAfterSuccessTests : IClassFixture<CircuitAfterSuccessFixture>
{
    private readonly CircuitAfterSuccessFixture _fixture;

    public CircuitAfterSuccessTests(CircuitAfterSuccessFixture fixture)
    {
        _fixture = fixture;
        _fixture.Cloudinary.Faults.Clear();
    }

    [Fact]
    public async Task N_consecutive_failures_right_after_a_success_open_the_circuit()
    {
        var cloudinary = _fixture.Cloudinary;
        var link = _fixture.Chain.Links.Single(l => l.Name == "cloudinary");
        Assert.Equal([("cloudinary", "stored")], await StoreAsync("healthy-first"));

        cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        for (var i = 0; i < CircuitBreakerFixture.FailuresToOpen; i++)
        {
            Assert.Equal([("cloudinary", "failed"), ("s3", "stored")], await StoreAsync($"outage-{i}"));
        }

        Assert.Equal("open", link.CircuitState);
        var before = cloudinary.RequestCount;
        Assert.Equal([("cloudinary", "skipped"), ("s3", "stored")], await StoreAsync("skipped"));
        Assert.Equal(before, cloudinary.RequestCount);
    }

    private async Task<List<(string Provider, string Outcome)>> StoreAsync(string name)
    {
        await using var video = new GeneratedStream(400_000, seed: (ulong)name.Length, header: Samples.Mp4Prefix(400_000));
        var result = await _fixture.Storage.StoreAsync(Uploads.VideoRequest(name), video, CancellationToken.None);
        return result.Attempts.Select(a => (a.Provider, a.Outcome)).ToList();
    }
}
