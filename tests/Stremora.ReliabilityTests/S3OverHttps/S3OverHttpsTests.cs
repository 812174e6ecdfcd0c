using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Stremora.TestKit;
using Stremora.TestKit.Host;
using Stremora.TestKit.Postgres;
using Stremora.TestKit.S3;

namespace Stremora.ReliabilityTests.S3OverHttps;

/// <summary>
/// The API process storing on S3 reached over HTTPS, as AWS is: moto behind a TLS proxy the process trusts. Over TLS
/// the parts go unsigned (the CRC32 trailer is still checked by S3), which saves SigV4's SHA-256 of every byte.
/// </summary>
public sealed class S3OverHttpsTests : IAsyncLifetime
{
    private const string Owner = "https-owner";
    private const int VideoBytes = 12 * 1024 * 1024;

    private readonly string _work = Path.Combine(Path.GetTempPath(), $"stremora-s3-https-{Guid.NewGuid():N}");
    private string _connectionString = null!;
    private TestBucket _bucket = null!;
    private TlsTerminatingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await PostgresServer.Instance.CreateDatabaseAsync("stremora_s3_https");
        _bucket = await MotoServer.Instance.CreateBucketAsync();
        _proxy = new TlsTerminatingProxy(new Uri(MotoServer.Instance.Endpoint));
        Directory.CreateDirectory(_work);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Parts_sent_over_https_are_unsigned_and_the_stored_video_has_the_uploaded_bytes()
    {
        await using var api = await ApiProcess.StartAsync(Settings());
        using var client = api.Client(Owner);
        var video = Samples.Mp4(VideoBytes);

        using var form = UploadForm.Valid("Over TLS", video).Build();
        using var response = await client.PostAsync(new Uri("api/videos", UriKind.Relative), form);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        var stored = JsonDocument.Parse(body).RootElement.GetProperty("video");
        Assert.Equal(("s3", Samples.Sha256(video)), (stored.GetProperty("provider").GetString(), stored.GetProperty("sha256").GetString()));

        // Three 5 MiB parts (5 + 5 + 2), each without SigV4's hash of its body; nothing was sent signed.
        var hashes = _proxy.ContentHashes;
        Assert.True(hashes.Count(h => h == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") == 3, string.Join(", ", hashes));
        Assert.DoesNotContain(hashes, h => h.StartsWith("STREAMING-AWS4-HMAC-SHA256", StringComparison.Ordinal));

        using var https = new HttpClient(_proxy.TrustingHandler());
        var url = new Uri(stored.GetProperty("url").GetString()!);
        Assert.Equal(("https", _proxy.Endpoint.Port), (url.Scheme, url.Port));
        Assert.Equal(Samples.Sha256(video), Convert.ToHexStringLower(SHA256.HashData(await https.GetByteArrayAsync(url))));
    }

    private ApiProcessOptions Settings()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:Postgres"] = _connectionString,
            ["Auth:SigningKey"] = TestTokens.SigningKey,
            ["Storage:Order"] = "s3",
            ["Storage:SpoolDirectory"] = Path.Combine(_work, "spool"),
            ["Storage:S3:PartSizeBytes"] = (5 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
            ["Upload:SweepCron"] = StremoraApiFactory.NeverCron,
            ["Uploads:ExpirySweepCron"] = StremoraApiFactory.NeverCron,
            ["Storage:Rebalance:Cron"] = StremoraApiFactory.NeverCron,
            ["Storage:Reconcile:Cron"] = StremoraApiFactory.NeverCron,

            // .NET on Linux takes its trusted roots from here: the proxy's certificate is the only one this process needs.
            ["SSL_CERT_FILE"] = _proxy.CertificateFile,
        };
        foreach (var (key, value) in _bucket.Settings)
        {
            settings[key] = value;
        }

        settings["AWS_ENDPOINT_URL_S3"] = _proxy.Endpoint.ToString().TrimEnd('/');
        return new ApiProcessOptions { Name = "s3-over-https", Settings = settings };
    }
}
