using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

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
        Bucket = await MotoServer.Instance.CreateBucketAsync();
        Host = new StremoraApiFactory().With(Cloudinary.Settings).WithS3(Bucket).With("Storage:Order", "cloudinary,s3");
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
