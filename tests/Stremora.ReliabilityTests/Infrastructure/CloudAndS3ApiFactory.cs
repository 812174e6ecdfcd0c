using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Faults;
using Stremora.TestKit.Host;
using Stremora.TestKit.S3;

namespace Stremora.ReliabilityTests.Infrastructure;

/// <summary>
/// The production chain: the fake Cloudinary first, S3 (moto_server, behind a TCP fault proxy) second, with
/// known secret values for Cloudinary, AWS, the signing key and the dashboard, and every log line captured.
/// Short attempt timeouts and a circuit that never opens keep each injected fault a visible, quick failure.
/// </summary>
public class CloudAndS3ApiFactory : ReliabilityApiFactory
{
    public const string SigningKey = "reliability-signing-key-SECRET-3c9e1f7a5b2d4e6f8a0c";
    public const string AwsSecretKey = "reliability-aws-secret-SECRET-a7d2f9e1c4b6";
    public const string AwsAccessKeyId = "AKIARELIABILITY7Q2W";
    public const string SecretDashboardPassword = "reliability-dashboard-SECRET-5e8b";

    public CloudAndS3ApiFactory()
        : this(MaxVideoBytes)
    {
    }

    protected CloudAndS3ApiFactory(long maxVideoBytes)
    {
        With("Upload:MaxVideoBytes", maxVideoBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public FakeCloudinaryServer Cloudinary { get; private set; } = null!;

    public TestBucket Bucket { get; private set; } = null!;

    public TcpFaultProxy S3Proxy { get; private set; } = null!;

    public CapturedLogs Logs { get; } = new();

    /// <summary>Every secret the host was given: none may appear in logs, responses, files or the database.</summary>
    public IReadOnlyList<string> Secrets => [Cloudinary.ApiSecret, AwsSecretKey, SigningKey, SecretDashboardPassword];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Cloudinary = await FakeCloudinaryServer.StartAsync();
        Bucket = await MotoServer.Instance.CreateBucketAsync();
        var moto = new Uri(MotoServer.Instance.Endpoint);
        S3Proxy = new TcpFaultProxy(moto.Host, moto.Port);
        With(Cloudinary.Settings).WithS3(Bucket);

        // moto accepts any credentials: the service gets distinctive ones so a leak would be recognisable.
        With("AWS_ACCESS_KEY_ID", AwsAccessKeyId);
        With("AWS_SECRET_ACCESS_KEY", AwsSecretKey);
        With("AWS_ENDPOINT_URL_S3", S3Proxy.BaseAddress.ToString().TrimEnd('/'));
        With("Auth:SigningKey", SigningKey);
        With("Hangfire:Dashboard:Password", SecretDashboardPassword);
        With("Storage:Order", "cloudinary,s3");
        With("Storage:Cloudinary:ChunkSizeBytes", (20 * 1000 * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        With("Storage:Providers:cloudinary:IdleTimeoutSeconds", "5");
        // Generous: moto on a loaded machine can pause between parts; only the S3 "hang" case waits for it.
        With("Storage:Providers:s3:IdleTimeoutSeconds", "20");
        With("Storage:Cloudinary:DestroyAttemptTimeout", "00:00:03");
        With("Storage:CircuitBreaker:MinimumThroughput", "100000");
        With("Cleanup:RetryDelaySeconds", "1");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Cloudinary.DisposeAsync();
        await S3Proxy.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
    }
}
