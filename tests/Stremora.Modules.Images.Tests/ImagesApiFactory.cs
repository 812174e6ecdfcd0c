using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Images.Tests;

/// <summary>
/// The real host with the fake Cloudinary first and S3 (moto_server) behind it, a small image limit (so 413s are
/// cheap), a circuit that does not open between tests, and reconciliation that runs only when a test asks.
/// </summary>
public sealed class ImagesApiFactory : StremoraApiFactory
{
    public const long MaxImageBytes = 64 * 1024;

    public FakeCloudinaryServer Cloudinary { get; private set; } = null!;

    public TestBucket Bucket { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Cloudinary = await FakeCloudinaryServer.StartAsync();
        Bucket = await MotoServer.Instance.CreateBucketAsync();
        With(Cloudinary.Settings).WithS3(Bucket);
        With("Storage:Order", "cloudinary,s3");
        With("Storage:CircuitBreaker:MinimumThroughput", "1000");
        With("Upload:MaxImageBytes", MaxImageBytes.ToString(CultureInfo.InvariantCulture));
        With("Storage:Reconcile:Cron", "0 0 31 2 *");
        With("Storage:Rebalance:Cron", "0 0 31 2 *");
        With("Storage:Reconcile:OrphanGraceMinutes", "0");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Cloudinary.DisposeAsync();
    }
}

/// <summary>One host for every test: they run one after another (Hangfire keeps process-wide state).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ImagesApiGroup : ICollectionFixture<ImagesApiFactory>
{
    public const string Name = "images-api";
}

/// <summary>The image calls the tests make over and over.</summary>
public static class ImagesClient
{
    public static MultipartFormDataContent Form(string kind, byte[] image, string contentType = "image/jpeg")
    {
        var form = new MultipartFormDataContent { { new StringContent(kind), "kind" } };
        var part = new ByteArrayContent(image);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        form.Add(part, "image", "picture");
        return form;
    }

    public static async Task<HttpResponseMessage> UploadImageAsync(this HttpClient client, string kind, byte[] image, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = Form(kind, image) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Uploads and returns the image JSON; fails the test unless it is a 201.</summary>
    public static async Task<JsonElement> UploadValidImageAsync(this HttpClient client, string kind = "avatar", byte[]? image = null)
    {
        using var response = await client.UploadImageAsync(kind, image ?? Samples.Jpeg());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Upload answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Runs reconciliation through its admin route and returns its report once that very run has reported.</summary>
    public static async Task<JsonElement> ReconcileAsync(this HttpClient admin)
    {
        using var response = await admin.PostAsync(new Uri("/api/admin/storage/reconcile", UriKind.Relative), null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        var jobId = JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString();
        JsonElement lastRun = default;
        await Eventually.UntilAsync(
            async () =>
            {
                var status = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/api/admin/storage/maintenance", UriKind.Relative))).RootElement;
                lastRun = status.GetProperty("reconcile").GetProperty("lastRun").Clone();
                return lastRun.ValueKind == JsonValueKind.Object && lastRun.GetProperty("jobId").GetString() == jobId;
            },
            "the reconcile job reported");
        return lastRun;
    }

    /// <summary>Asserts an RFC 9457 body with the expected status.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
