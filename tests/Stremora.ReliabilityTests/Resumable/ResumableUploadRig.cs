using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.Postgres;
using Stremora.TestKit.S3;

namespace Stremora.ReliabilityTests.Resumable;

/// <summary>
/// What the resumable-upload tests across processes share: one database, the fake Cloudinary and an S3 bucket, a
/// staging folder every instance reaches, the API's settings over them, and the tus requests sent by hand.
/// </summary>
public abstract class ResumableUploadRig : IAsyncLifetime
{
    protected const string Owner = "tus-crash-owner";

    private string _connectionString = null!;

    protected string Work { get; } = Path.Combine(Path.GetTempPath(), $"stremora-tus-crash-{Guid.NewGuid():N}");

    protected FakeCloudinaryServer Cloudinary { get; private set; } = null!;

    protected TestBucket Bucket { get; private set; } = null!;

    protected string Staging => Path.Combine(Work, "uploads");

    public async Task InitializeAsync()
    {
        _connectionString = await PostgresServer.Instance.CreateDatabaseAsync("stremora_tus_crash");
        Cloudinary = await FakeCloudinaryServer.StartAsync();
        Bucket = await MotoServer.Instance.CreateBucketAsync();
        Directory.CreateDirectory(Work);
    }

    public async Task DisposeAsync()
    {
        await Cloudinary.DisposeAsync();
        Directory.Delete(Work, recursive: true);
    }

    /// <summary>Creation without a body; returns the upload's location.</summary>
    protected static async Task<string> CreateAsync(HttpClient client, long length, string title)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/uploads");
        create.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        create.Headers.Add("Upload-Metadata", "title " + Convert.ToBase64String(Encoding.UTF8.GetBytes(title)));
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return created.Headers.Location!.OriginalString;
    }

    /// <summary>One chunk that must be taken: fails the test unless it is a 204. Returns the new offset.</summary>
    protected static async Task<long> PatchAcceptedAsync(HttpClient client, string location, byte[] video, long offset, int length)
    {
        using var patch = Chunk(location, video, offset, length);
        using var patched = await client.SendAsync(patch);
        Assert.True(patched.StatusCode == HttpStatusCode.NoContent, $"PATCH at {offset} answered {(int)patched.StatusCode}: {await patched.Content.ReadAsStringAsync()}");
        return long.Parse(patched.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
    }

    protected static HttpRequestMessage Chunk(string location, byte[] video, long offset, int length)
    {
        var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(video, (int)offset, length) };
        patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        patch.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        return patch;
    }

    protected static HttpClient TusClient(ApiProcess api)
    {
        var client = api.Client(Owner);
        client.DefaultRequestHeaders.Add("Tus-Resumable", "1.0.0");
        return client;
    }

    protected static async Task<JsonElement> VideoAsync(ApiProcess api, string uploadPath)
    {
        using var client = api.Client(Owner);
        var id = uploadPath[(uploadPath.LastIndexOf('/') + 1)..];
        var body = await client.GetStringAsync(new Uri($"api/videos/{id}", UriKind.Relative));
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The video is ready on <paramref name="provider"/> with the file's SHA-256, after exactly these attempts (<c>provider:outcome</c>).</summary>
    protected static void AssertReady(JsonElement video, byte[] file, string provider, params string[] attempts)
    {
        Assert.Equal("ready", video.GetProperty("status").GetString());
        Assert.Equal(provider, video.GetProperty("video").GetProperty("provider").GetString());
        Assert.Equal(Samples.Sha256(file), video.GetProperty("video").GetProperty("sha256").GetString());
        Assert.Equal(attempts, video.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("provider").GetString() + ":" + a.GetProperty("outcome").GetString()));
    }

    protected ApiProcessOptions Settings(string name, string order = "cloudinary,s3", IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:Postgres"] = _connectionString,
            ["Auth:SigningKey"] = TestTokens.SigningKey,
            ["Storage:Order"] = order,
            ["Storage:SpoolDirectory"] = SpoolOf(name),
            ["Uploads:StagingRoot"] = Staging,
            ["Uploads:StoreRetryDelaySeconds"] = "1",
            ["Upload:MaxVideoBytes"] = (128L * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
            ["Hangfire:InvisibilityTimeout"] = "00:00:05",
            ["Upload:SweepCron"] = StremoraApiFactory.NeverCron,
            ["Uploads:ExpirySweepCron"] = StremoraApiFactory.NeverCron,
            ["Storage:Rebalance:Cron"] = StremoraApiFactory.NeverCron,
            ["Storage:Reconcile:Cron"] = StremoraApiFactory.NeverCron,
        };
        foreach (var (key, value) in Cloudinary.Settings)
        {
            settings[key] = value!;
        }

        foreach (var (key, value) in Bucket.Settings.Concat(extra ?? new Dictionary<string, string>()))
        {
            settings[key] = value;
        }

        return new ApiProcessOptions { Name = name, Settings = settings };
    }

    /// <summary>The storage spool folder of the instance called <paramref name="name"/>.</summary>
    protected string SpoolOf(string name) => Path.Combine(Work, "spool-" + name);
}
