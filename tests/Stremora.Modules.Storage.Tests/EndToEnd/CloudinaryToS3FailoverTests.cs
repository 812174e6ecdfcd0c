using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.Diagnostics;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.S3;
using Stremora.TestKit.Streams;
using Xunit.Abstractions;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

/// <summary>The real host with the fake Cloudinary first and S3 (moto) behind it, as in production, plus each fixture's settings.</summary>
public abstract class CloudinaryThenS3Host : FailoverHostFixture
{
    protected abstract IReadOnlyDictionary<string, string> Extra { get; }

    public static StoreFileRequest Request(out string key)
    {
        var request = Uploads.VideoRequest("failover");
        key = request.Key;
        return request;
    }

    public static async Task<string> Sha256OfUrlAsync(string url) => (await Uploads.FetchAsync(url)).Sha256;

    protected override Task ConfigureAsync(StremoraApiFactory host)
    {
        foreach (var (key, value) in Extra)
        {
            host.With(key, value);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Circuits that never open here (each fault case must reach Cloudinary); a hang is given up after 2 s without progress.</summary>
public sealed class FaultsHost : CloudinaryThenS3Host
{
    protected override IReadOnlyDictionary<string, string> Extra => new Dictionary<string, string>
    {
        ["Storage:CircuitBreaker:MinimumThroughput"] = "1000",
        ["Storage:Providers:cloudinary:IdleTimeoutSeconds"] = "2",
    };
}

public sealed class CloudinaryToS3FailoverTests(FaultsHost host, ITestOutputHelper output) : IClassFixture<FaultsHost>
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task A_healthy_cloudinary_stores_the_video_and_its_url_serves_the_same_bytes()
    {
        host.Cloudinary.Faults.Clear();
        var source = new GeneratedStream(3 * MiB, seed: 11);

        var result = Assert.IsType<StoreOutcome.Stored>(await host.Storage.StoreAsync(CloudinaryThenS3Host.Request(out _), source, CancellationToken.None));

        Assert.Equal(("cloudinary", AttemptOutcomes.Stored), (Assert.Single(result.Attempts).Provider, result.Attempts[0].Outcome));
        Assert.Equal(source.Sha256, result.File.Sha256);
        Assert.Equal(source.Sha256, await CloudinaryThenS3Host.Sha256OfUrlAsync(result.File.ProviderUrl!));
    }

    [Theory]
    [InlineData(FakeCloudinaryFault.InternalServerError)]
    [InlineData(FakeCloudinaryFault.ServiceUnavailable)]
    [InlineData(FakeCloudinaryFault.RateLimited)]
    [InlineData(FakeCloudinaryFault.TooManyRequests)]
    [InlineData(FakeCloudinaryFault.ResetMidBody)]
    [InlineData(FakeCloudinaryFault.WrongBytes)]
    [InlineData(FakeCloudinaryFault.WrongEtag)]
    [InlineData(FakeCloudinaryFault.Hang)]
    public async Task Each_cloudinary_fault_lands_the_file_on_s3_with_identical_bytes_and_lists_the_failure(FakeCloudinaryFault fault)
    {
        host.Cloudinary.Faults.Clear();
        host.Cloudinary.Faults.FailAll(fault);
        var source = new GeneratedStream(2 * MiB, seed: (ulong)fault + 100);
        try
        {
            var result = Assert.IsType<StoreOutcome.Stored>(await host.Storage.StoreAsync(CloudinaryThenS3Host.Request(out var key), source, CancellationToken.None));

            Assert.Equal(
                [("cloudinary", AttemptOutcomes.Failed), ("s3", AttemptOutcomes.Stored)],
                result.Attempts.Select(a => (a.Provider, a.Outcome)));
            output.WriteLine($"{fault}: {result.Attempts[0].Error}");
            Assert.False(string.IsNullOrWhiteSpace(result.Attempts[0].Error));
            Assert.Equal(source.Sha256, await CloudinaryThenS3Host.Sha256OfUrlAsync(result.File.ProviderUrl!));
            Assert.DoesNotContain(host.Cloudinary.Assets, a => a.PublicId.EndsWith(key, StringComparison.Ordinal));
            Assert.Empty(Directory.GetFiles(host.Host.SpoolDirectory));
        }
        finally
        {
            host.Cloudinary.Faults.Clear();
        }
    }

    [Fact]
    public async Task A_150_MB_file_goes_to_cloudinary_in_chunks_then_to_s3_in_parts_and_memory_does_not_grow_with_it()
    {
        host.Cloudinary.Faults.Clear();

        // Warm up so the measurement sees only the upload.
        await host.Storage.StoreAsync(CloudinaryThenS3Host.Request(out _), new GeneratedStream(MiB, seed: 3), CancellationToken.None);

        // 150 MiB in 20 MB chunks is 8 requests: the 8th (the last chunk) fails, so S3 replays the whole file.
        var requestsBefore = host.Cloudinary.RequestCount;
        host.Cloudinary.Faults.FailNext(FakeCloudinaryFault.InternalServerError, after: 7);
        var source = new GeneratedStream(150 * MiB, seed: 150);
        StoreOutcome.Stored result;
        await using (var memory = MemorySampler.Start())
        {
            result = Assert.IsType<StoreOutcome.Stored>(await host.Storage.StoreAsync(CloudinaryThenS3Host.Request(out _), source, CancellationToken.None));
            await memory.DisposeAsync();
            output.WriteLine($"150 MiB to cloudinary (chunks) then s3 (parts): {memory}");
            Assert.True(memory.ManagedGrowth < 48 * MiB, memory.ToString());
        }

        var chunkRequests = host.Cloudinary.Requests.Skip(requestsBefore).Where(r => r.ContentRange is not null).ToList();
        Assert.Equal(8, chunkRequests.Count);
        Assert.Equal(
            [("cloudinary", AttemptOutcomes.Failed), ("s3", AttemptOutcomes.Stored)],
            result.Attempts.Select(a => (a.Provider, a.Outcome)));
        Assert.Equal((150 * MiB, source.Sha256), (result.File.Bytes, result.File.Sha256));
        Assert.Equal(source.Sha256, await CloudinaryThenS3Host.Sha256OfUrlAsync(result.File.ProviderUrl!));
        Assert.Empty(await host.Bucket.MultipartUploadsAsync());
    }
}

/// <summary>S3 is down too: its bucket does not exist (moto answers 404).</summary>
public sealed class BothDownHost : CloudinaryThenS3Host
{
    protected override IReadOnlyDictionary<string, string> Extra => new Dictionary<string, string>
    {
        ["AWS_S3_BUCKET_NAME"] = $"missing-{Guid.NewGuid():N}"[..30],
    };
}

public sealed class BothProvidersDownTests(BothDownHost host) : IClassFixture<BothDownHost>
{
    [Fact]
    public async Task With_both_providers_down_the_error_lists_both_attempts_and_nothing_is_left_anywhere()
    {
        host.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        try
        {
            var request = CloudinaryThenS3Host.Request(out var key);
            var failure = Assert.IsType<StoreOutcome.AllFailed>(await host.Storage.StoreAsync(request, new GeneratedStream(1024 * 1024), CancellationToken.None));

            Assert.Equal(
                [("cloudinary", AttemptOutcomes.Failed), ("s3", AttemptOutcomes.Failed)],
                failure.Attempts.Select(a => (a.Provider, a.Outcome)));
            Assert.Equal("S3 upload failed: 404 NoSuchBucket", failure.Attempts[1].Error);
            Assert.DoesNotContain(host.Cloudinary.Assets, a => a.PublicId.EndsWith(key, StringComparison.Ordinal));
            Assert.Empty(Directory.GetFiles(host.Host.SpoolDirectory));
        }
        finally
        {
            host.Cloudinary.Faults.Clear();
        }
    }
}

/// <summary>Two failures open Cloudinary's circuit for 5 s; a hang is given up after 2 s without progress.</summary>
public sealed class CircuitHost : CloudinaryThenS3Host
{
    protected override IReadOnlyDictionary<string, string> Extra => new Dictionary<string, string>
    {
        ["Storage:CircuitBreaker:MinimumThroughput"] = "2",
        ["Storage:CircuitBreaker:BreakDurationSeconds"] = "5",
        ["Storage:Providers:cloudinary:IdleTimeoutSeconds"] = "2",
    };
}

public sealed class CloudinaryCircuitTests(CircuitHost host) : IClassFixture<CircuitHost>
{
    [Fact]
    public async Task After_repeated_failures_uploads_skip_cloudinary_until_the_cool_down_then_try_it_again()
    {
        var cloudinary = host.Host.Services.GetRequiredService<FailoverChain>().Links.Single(l => l.Name == "cloudinary");
        host.Cloudinary.Faults.FailAll(FakeCloudinaryFault.Hang);
        for (var i = 0; i < 2; i++)
        {
            var failed = await host.Storage.StoreAsync(CloudinaryThenS3Host.Request(out _), new GeneratedStream(100_000), CancellationToken.None);
            Assert.Equal(("cloudinary", AttemptOutcomes.Failed, "no progress for 2 s"), (failed.Attempts[0].Provider, failed.Attempts[0].Outcome, failed.Attempts[0].Error));
        }

        // Open: the next upload does not touch Cloudinary at all (so does not wait for its timeout).
        var requests = host.Cloudinary.RequestCount;
        var skipped = await host.Storage.StoreAsync(CloudinaryThenS3Host.Request(out _), new GeneratedStream(100_000), CancellationToken.None);
        Assert.Equal(
            [("cloudinary", AttemptOutcomes.Skipped, "circuit open"), ("s3", AttemptOutcomes.Stored, null)],
            skipped.Attempts.Select(a => (a.Provider, a.Outcome, a.Error)));
        Assert.Equal(requests, host.Cloudinary.RequestCount);

        // After the cool-down Cloudinary gets a probe, and a healthy one closes the circuit again.
        host.Cloudinary.Faults.Clear();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (cloudinary.CircuitState != CircuitStates.HalfOpen)
        {
            Assert.True(DateTime.UtcNow < deadline, "the circuit never left open");
            await Task.Delay(100);
        }

        var probe = await host.Storage.StoreAsync(CloudinaryThenS3Host.Request(out _), new GeneratedStream(100_000), CancellationToken.None);
        Assert.Equal("cloudinary", Assert.Single(probe.Attempts).Provider);
        Assert.Equal(CircuitStates.Closed, cloudinary.CircuitState);
    }
}
