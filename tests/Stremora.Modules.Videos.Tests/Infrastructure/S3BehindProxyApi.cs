using Stremora.TestKit.Faults;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>The host with S3 (moto_server) reached through a proxy a test can take down; chain "s3" unless a fixture says otherwise.</summary>
public abstract class S3BehindProxyApi : IAsyncLifetime
{
    public VideosApiFactory Api { get; } = new();

    public TestBucket Bucket { get; private set; } = null!;

    public TcpFaultProxy Proxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Bucket = await MotoServer.Instance.CreateBucketAsync();
        var moto = new Uri(MotoServer.Instance.Endpoint);
        Proxy = new TcpFaultProxy(moto.Host, moto.Port);
        Api.WithS3(Bucket)
            .With("AWS_ENDPOINT_URL_S3", Proxy.BaseAddress.ToString().TrimEnd('/'))
            .With("Storage:Order", "s3");
        Configure(Api, Proxy);
        await Api.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Proxy.DisposeAsync();
    }

    /// <summary>The fixture's own settings, before the host starts.</summary>
    protected abstract void Configure(VideosApiFactory api, TcpFaultProxy proxy);
}
