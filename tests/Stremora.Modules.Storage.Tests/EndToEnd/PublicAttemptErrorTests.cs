using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.Host;
using Stremora.TestKit.Streams;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

/// <summary>Cloudinary's address points at a port where nothing listens.</summary>
public sealed class UnreachableCloudinaryFixture : FailoverHostFixture
{
    public string DeadAddress { get; } = $"http://127.0.0.1:{Stremora.TestKit.Loopback.FreePort()}";

    protected override Task ConfigureAsync(StremoraApiFactory host)
    {
        host.With("CLOUDINARY_API_BASE_URL", DeadAddress);
        host.With("Storage:CircuitBreaker:MinimumThroughput", "1000");
        return Task.CompletedTask;
    }
}

/// <summary>An attempt's error is shown to users (responses, history): it says what failed in words, never where.</summary>
public sealed class PublicAttemptErrorTests(UnreachableCloudinaryFixture fixture) : IClassFixture<UnreachableCloudinaryFixture>
{
    [Fact]
    public async Task An_unreachable_cloudinary_is_named_in_words_without_its_host_or_port()
    {
        await using var video = Samples.Mp4Stream(10_000, seed: 7);

        var result = Assert.IsType<StoreOutcome.Stored>(await fixture.Storage.StoreAsync(Uploads.VideoRequest("unreachable"), video, CancellationToken.None));

        var failed = Assert.Single(result.Attempts, a => a.Provider == "cloudinary");
        Assert.Equal("cloudinary could not be reached", failed.Error);
        Assert.DoesNotContain("127.0.0.1", failed.Error!, StringComparison.Ordinal);
    }
}
