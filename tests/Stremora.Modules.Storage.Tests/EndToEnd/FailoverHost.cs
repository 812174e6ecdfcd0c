using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Storage.Tests.Failover;

/// <summary>
/// A real API host (own database and spool folder) whose chain is <c>cloudinary,s3</c> against the
/// fake Cloudinary and a fresh bucket on moto_server. Derive to add settings; one host per test
/// class, because circuit state is per host.
/// </summary>
public abstract class FailoverHostFixture : IAsyncLifetime
{
    public FakeCloudinaryServer Cloudinary { get; private set; } = null!;

    public StremoraApiFactory Host { get; private set; } = null!;

    public TestBucket Bucket { get; private set; } = null!;

    public IVideoStorage Storage => Host.Services.GetRequiredService<IVideoStorage>();

    internal FailoverChain Chain => Host.Services.GetRequiredService<FailoverChain>();

    public async Task InitializeAsync()
    {
        Cloudinary = await FakeCloudinaryServer.StartAsync();
        Host = new StremoraApiFactory();
        foreach (var (key, value) in Cloudinary.Settings)
        {
            Host.With(key, value);
        }

        Bucket = await MotoServer.Instance.CreateBucketAsync();
        Host.WithS3(Bucket);
        Host.With("Storage:Order", "cloudinary,s3");
        await ConfigureAsync(Host);
        await Host.InitializeAsync();

        // Start it now: a start-up failure belongs to the fixture, not to the first test.
        _ = Host.Services;
    }

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Cloudinary.DisposeAsync();
    }

    protected virtual Task ConfigureAsync(StremoraApiFactory host) => Task.CompletedTask;
}

internal static class Uploads
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(5) };

    public static StoreFileRequest VideoRequest(string name) =>
        new(StoredFileKind.Video, $"videos/{name}-{Guid.NewGuid():N}/video", "video/mp4", MaxBytes: 1L << 31);

    /// <summary>GETs <paramref name="url"/> as a browser would and hashes the body as it streams by.</summary>
    public static async Task<(long Bytes, string Sha256)> FetchAsync(string url)
    {
        using var response = await Http.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}");
        await using var body = await response.Content.ReadAsStreamAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (background work, never a fixed sleep).</summary>
    public static async Task EventuallyAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }
}
