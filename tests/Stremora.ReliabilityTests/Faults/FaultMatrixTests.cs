using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3.Model;
using Stremora.ReliabilityTests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Faults;

namespace Stremora.ReliabilityTests.Faults;

/// <summary>The chain with room for 60 MiB videos.</summary>
public sealed class FaultMatrixApiFactory : CloudAndS3ApiFactory
{
    public FaultMatrixApiFactory()
        : base(100 * 1024 * 1024)
    {
    }
}

/// <summary>
/// Every Cloudinary fault × a single-request size (1 MiB) and a chunked size (60 MiB, 20 MB chunks): the video
/// is ready on S3 with the SHA-256 of what was sent, the failed Cloudinary attempt is on its history, nothing
/// it half-stored stays on Cloudinary, and no spool file is left. Then S3 faults (refuse, hang, cut mid-stream,
/// through a TCP proxy in front of moto_server) while Cloudinary is down too: 503 with both attempts listed,
/// and once S3 is reachable again nothing is left on either provider, in the spool or in the catalog.
/// </summary>
public sealed class FaultMatrixTests(FaultMatrixApiFactory api) : IClassFixture<FaultMatrixApiFactory>
{
    private const string Owner = "fault-owner";
    public const int Small = 1024 * 1024;
    public const int Large = 60 * 1024 * 1024;

    public static TheoryData<FakeCloudinaryFault, int> CloudinaryFaults()
    {
        var data = new TheoryData<FakeCloudinaryFault, int>();
        foreach (var fault in Enum.GetValues<FakeCloudinaryFault>())
        {
            data.Add(fault, Small);
            data.Add(fault, Large);
        }

        return data;
    }

    public static TheoryData<TcpFault, int> S3Faults() => new()
    {
        { TcpFault.Refuse, Small },
        { TcpFault.Hang, Small },
        { TcpFault.CutMidStream, Small },
        { TcpFault.Refuse, Large },
        { TcpFault.CutMidStream, Large },
    };

    [Theory]
    [MemberData(nameof(CloudinaryFaults))]
    public async Task Cloudinary_fault_fails_over_to_s3_with_identical_bytes(FakeCloudinaryFault fault, int size)
    {
        var video = Samples.Mp4(size, seed: (byte)(fault + size % 251));
        using var client = api.ClientFor(Owner);
        api.Cloudinary.Faults.FailAll(fault);
        JsonElement created;
        try
        {
            using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), UploadForm.Valid($"{fault} at {size}", video).Build());
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{fault} at {size}: {(int)response.StatusCode} {body}");
            created = JsonDocument.Parse(body).RootElement.Clone();
        }
        finally
        {
            api.Cloudinary.Faults.Clear();
        }

        var id = created.GetProperty("id").GetGuid();
        var file = created.GetProperty("video");
        Assert.Equal("s3", file.GetProperty("provider").GetString());
        Assert.Equal(Samples.Sha256(video), file.GetProperty("sha256").GetString());
        Assert.Equal(size, file.GetProperty("bytes").GetInt64());
        Assert.Equal(Samples.Sha256(video), await S3Sha256Async(file.GetProperty("locator").GetString()!));

        var history = await HistoryAsync(client, id);
        var failed = history.Where(e => e.GetProperty("type").GetString() == "StorageAttemptFailed").Select(e => e.GetProperty("data")).ToList();
        Assert.Contains(failed, d => d.GetProperty("provider").GetString() == "cloudinary" && d.GetProperty("file").GetString() == "video");
        Assert.Contains(history, e => e.GetProperty("type").GetString() == "VideoReady");

        // A provider that stored the bytes but answered wrongly (wrong size, bad JSON) must not keep them.
        await Eventually.UntilAsync(() => Task.FromResult(api.Cloudinary.Assets.All(a => !a.PublicId.Contains(id.ToString("N"), StringComparison.Ordinal))), $"Cloudinary keeps nothing of video {id}");
        await Eventually.UntilAsync(() => Task.FromResult(api.SpoolFiles().Count == 0), "the spool is empty");
    }

    [Theory]
    [MemberData(nameof(S3Faults))]
    public async Task S3_fault_while_cloudinary_is_down_is_503_and_leaves_nothing(TcpFault fault, int size)
    {
        using var client = api.ClientFor(Owner);
        var totalBefore = await api.CatalogTotalAsync();
        var keysBefore = await api.Bucket.KeysAsync();
        var assetsBefore = api.Cloudinary.Assets.Select(a => a.PublicId).ToList();
        var video = Samples.Mp4(size, seed: (byte)(fault + 100));
        api.Cloudinary.Faults.FailAll(FakeCloudinaryFault.ServiceUnavailable);
        api.S3Proxy.Fault = fault;
        try
        {
            using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), UploadForm.Valid($"S3 {fault} at {size}", video).Build());
            var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, $"S3 {fault} at {size}");
            var providers = problem.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("provider").GetString()).ToList();
            Assert.Equal(["cloudinary", "s3"], providers);
        }
        finally
        {
            api.Cloudinary.Faults.Clear();
            api.S3Proxy.Fault = TcpFault.None;
        }

        Assert.Equal(totalBefore, await api.CatalogTotalAsync());
        // With S3 reachable again, whatever was begun there (objects, multipart uploads) is cleaned up.
        await Eventually.UntilAsync(
            async () => (await api.Bucket.KeysAsync()).SequenceEqual(keysBefore) && (await api.Bucket.MultipartUploadsAsync()).Count == 0,
            "S3 holds no object or unfinished multipart upload of the failed upload",
            TimeSpan.FromSeconds(120));
        await Eventually.UntilAsync(() => Task.FromResult(api.Cloudinary.Assets.Select(a => a.PublicId).SequenceEqual(assetsBefore)), "Cloudinary holds nothing of the failed upload");
        await Eventually.UntilAsync(() => Task.FromResult(api.SpoolFiles().Count == 0), "the spool is empty");
    }

    private async Task<string> S3Sha256Async(string key)
    {
        using var s3 = api.Bucket.Server.CreateClient();
        using var obj = await s3.GetObjectAsync(new GetObjectRequest { BucketName = api.Bucket.Name, Key = key });
        await using var stream = obj.ResponseStream;
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }

    private static async Task<List<JsonElement>> HistoryAsync(HttpClient client, Guid id)
    {
        var body = await client.GetStringAsync(new Uri($"/api/videos/{id}/history", UriKind.Relative));
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
