using System.Net.Http.Headers;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;

namespace Stremora.ReliabilityTests.Infrastructure;

/// <summary>
/// The host on real Kestrel (loopback, a free port) with the fake Cloudinary first and local disk as
/// the fallback, so raw sockets can test what the in-memory server cannot (early 413, slow bodies).
/// </summary>
public class KestrelApiFactory : ReliabilityApiFactory
{
    public FakeCloudinaryServer Cloudinary { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Cloudinary = await FakeCloudinaryServer.StartAsync();
        With(Cloudinary.Settings);
        With("Storage:Order", "cloudinary,local");
        // A short grace so the slow-loris case is quick; the rate itself is the product's default.
        With("Upload:BodyRateGracePeriodSeconds", "2");
        StartKestrel();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Cloudinary.DisposeAsync();
    }

    public HttpClient Client(string? userId = null, bool admin = false)
    {
        var client = new HttpClient { BaseAddress = ServerAddress, Timeout = TimeSpan.FromMinutes(2) };
        if (userId is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(userId, admin));
        }

        return client;
    }

    /// <summary>Everything an upload could leave behind, in one comparable value.</summary>
    public async Task<LeftBehind> LeftBehindAsync()
    {
        using var client = Client();
        var body = await client.GetStringAsync(new Uri("/api/videos?pageSize=1", UriKind.Relative));
        var total = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("total").GetInt64();
        return new LeftBehind(
            total,
            string.Join(",", StoredFiles().Order(StringComparer.Ordinal)),
            string.Join(",", Cloudinary.Assets.Select(a => a.PublicId)),
            string.Join(",", SpoolFiles()),
            Cloudinary.PendingChunkedUploads);
    }
}

/// <summary>Catalog total, local files, Cloudinary assets, spool files and unfinished chunked uploads.</summary>
public sealed record LeftBehind(long CatalogTotal, string LocalFiles, string CloudinaryAssets, string SpoolFiles, int PendingChunkedUploads);
