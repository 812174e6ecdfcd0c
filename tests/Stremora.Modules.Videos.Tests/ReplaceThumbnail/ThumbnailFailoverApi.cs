using System.Text.Json;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Faults;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Videos.Tests.ReplaceThumbnail;

/// <summary>
/// The production chain for thumbnails: the fake Cloudinary first, S3 (moto_server behind a proxy a test can take
/// down) second. The circuit never opens, so each test's failures stay its own.
/// </summary>
public sealed class ThumbnailFailoverApi : IAsyncLifetime
{
    public VideosApiFactory Api { get; } = new();

    public FakeCloudinaryServer Cloudinary { get; private set; } = null!;

    public TestBucket Bucket { get; private set; } = null!;

    public TcpFaultProxy S3Proxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cloudinary = await FakeCloudinaryServer.StartAsync();
        Bucket = await MotoServer.Instance.CreateBucketAsync();
        var moto = new Uri(MotoServer.Instance.Endpoint);
        S3Proxy = new TcpFaultProxy(moto.Host, moto.Port);
        Api.With(Cloudinary.Settings).WithS3(Bucket)
            .With("AWS_ENDPOINT_URL_S3", S3Proxy.BaseAddress.ToString().TrimEnd('/'))
            .With("Storage:Order", "cloudinary,s3")
            .With("Storage:CircuitBreaker:MinimumThroughput", "100000");
        await Api.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cloudinary.DisposeAsync();
        await S3Proxy.DisposeAsync();
    }

    /// <summary>What a browser gets from a playback URL the API handed out (the provider's own address).</summary>
    public static async Task<byte[]> DownloadAsync(JsonElement file)
    {
        using var browser = new HttpClient();
        return await browser.GetByteArrayAsync(new Uri(file.GetProperty("url").GetString()!));
    }

    /// <summary>Every stored thumbnail of the video, on either provider: "cloudinary:locator" or "s3:key".</summary>
    public async Task<IReadOnlyList<string>> ThumbnailFilesAsync(Guid videoId)
    {
        var prefix = $"videos/{videoId:N}/thumbnail";
        return
        [
            .. Cloudinary.Assets.Where(a => a.PublicId.Contains(prefix, StringComparison.Ordinal)).Select(a => "cloudinary:" + a.PublicId),
            .. (await Bucket.KeysAsync()).Where(k => k.Contains(prefix, StringComparison.Ordinal)).Select(k => "s3:" + k),
        ];
    }
}
