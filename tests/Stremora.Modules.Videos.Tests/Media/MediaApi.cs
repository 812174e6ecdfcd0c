using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Videos.Tests.Media;

/// <summary>The host with the contract's chain (fake Cloudinary, then S3 on moto_server) and poster frames on.</summary>
public sealed class MediaApi : IAsyncLifetime
{
    public VideosApiFactory Api { get; } = new();

    public FakeCloudinaryServer Cloudinary { get; private set; } = null!;

    public TestBucket Bucket { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cloudinary = await FakeCloudinaryServer.StartAsync();
        Bucket = await MotoServer.Instance.CreateBucketAsync();
        Api.With(Cloudinary.Settings).WithS3(Bucket);
        Api.With("Storage:Order", "cloudinary,s3")
            .With("Storage:CircuitBreaker:MinimumThroughput", "1000")
            .With("Media:Posters", "true");
        await Api.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cloudinary.DisposeAsync();
    }

    /// <summary>Every file the providers hold, for "nothing was kept".</summary>
    public async Task<int> StoredFileCountAsync() => Cloudinary.Assets.Count + (await Bucket.KeysAsync()).Count;
}
