using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Stremora.TestKit.S3;

namespace Stremora.Bench.Infrastructure;

/// <summary>The test kit's moto_server and one bucket on it: the API's settings for it, and a client for the baselines and clean-up.</summary>
internal sealed class S3Target : IDisposable
{
    private S3Target(MotoServer server, string bucket)
    {
        Server = server;
        Bucket = bucket;
        Client = new AmazonS3Client(
            new BasicAWSCredentials(server.AccessKey, server.SecretKey),
            new AmazonS3Config { ServiceURL = server.Endpoint, AuthenticationRegion = MotoServer.Region, ForcePathStyle = true, Timeout = TimeSpan.FromMinutes(10) });
    }

    public MotoServer Server { get; }

    public string Bucket { get; }

    /// <summary>moto_server's pid when the test kit started it (found by its port), for CPU accounting.</summary>
    public int? ProcessId => Uri.TryCreate(Server.Endpoint, UriKind.Absolute, out var endpoint)
        ? CpuTime.Find("moto_server", $"-p {endpoint.Port}")
        : null;

    public AmazonS3Client Client { get; }

    /// <summary>The standard AWS_* variables the API reads.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AWS_REGION"] = MotoServer.Region,
        ["AWS_ACCESS_KEY_ID"] = Server.AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = Server.SecretKey,
        ["AWS_S3_BUCKET_NAME"] = Bucket,
        ["AWS_ENDPOINT_URL_S3"] = Server.Endpoint,
    };

    public static async Task<S3Target> CreateAsync()
    {
        var bucket = await MotoServer.Instance.CreateBucketAsync();
        return new S3Target(MotoServer.Instance, bucket.Name);
    }

    /// <summary>
    /// The provider-side baseline: <paramref name="file"/> sent straight to the bucket with the AWS SDK's TransferUtility
    /// (<paramref name="partBytes"/> parts, 10 in parallel), then removed. Returns how long the upload took.
    /// </summary>
    public async Task<TimeSpan> UploadDirectAsync(string file, long partBytes, CancellationToken cancellationToken)
    {
        var key = $"bench/direct/{Guid.NewGuid():N}";
        using var transfer = new TransferUtility(Client, new TransferUtilityConfig { ConcurrentServiceRequests = 10 });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = Bucket, Key = key, FilePath = file, PartSize = partBytes, ContentType = "video/mp4" }, cancellationToken);
        clock.Stop();
        await DeleteAsync(key, cancellationToken);
        return clock.Elapsed;
    }

    /// <summary>
    /// What the provider itself takes once it has every part: <paramref name="file"/> sent as a multipart upload of
    /// <paramref name="partBytes"/> parts (four at a time, as the service sends them), and only the CompleteMultipartUpload
    /// call timed. moto joins the parts in Python, so for a large file this is seconds; real S3 answers it in well under one.
    /// </summary>
    public async Task<TimeSpan> CompletionTimeAsync(string file, long partBytes, CancellationToken cancellationToken)
    {
        var key = $"bench/completion/{Guid.NewGuid():N}";
        var length = new FileInfo(file).Length;
        var uploadId = (await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key }, cancellationToken)).UploadId;
        using var slots = new SemaphoreSlim(4);
        var parts = await Task.WhenAll(Enumerable.Range(0, (int)((length + partBytes - 1) / partBytes)).Select(async index =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                var offset = index * partBytes;
                var part = await Client.UploadPartAsync(
                    new UploadPartRequest { BucketName = Bucket, Key = key, UploadId = uploadId, PartNumber = index + 1, FilePath = file, FilePosition = offset, PartSize = Math.Min(partBytes, length - offset) },
                    cancellationToken);
                return new PartETag(index + 1, part.ETag);
            }
            finally
            {
                slots.Release();
            }
        }));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = uploadId, PartETags = [.. parts] }, cancellationToken);
        clock.Stop();
        await DeleteAsync(key, cancellationToken);
        return clock.Elapsed;
    }

    /// <summary>moto keeps objects in memory: every benchmark upload is removed as soon as it is measured.</summary>
    public async Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        await Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }, cancellationToken);

    public void Dispose() => Client.Dispose();
}
