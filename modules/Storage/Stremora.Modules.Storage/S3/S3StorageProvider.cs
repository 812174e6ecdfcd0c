using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.S3;

/// <summary>
/// A private S3 bucket. Large files go up with the low-level multipart API, each part sent straight
/// from a range of the spool (never TransferUtility, never a part in memory); a file of one part is a
/// single PutObject. Any failure aborts the multipart upload. Playback is a presigned GET that expires.
/// </summary>
internal sealed partial class S3StorageProvider : IStorageProvider, IDisposable
{
    public const string ProviderName = "s3";

    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UncertainCleanupTimeout = TimeSpan.FromSeconds(5);

    private readonly S3Options _options;
    private readonly AmazonS3Client? _client;

    // Signs playback URLs for the address browsers use (Storage:S3:PublicServiceUrl); the same client without one.
    private readonly AmazonS3Client? _presigner;
    private readonly ILogger<S3StorageProvider> _logger;
    private readonly TimeProvider _time;

    // Over HTTPS (AWS itself, any https endpoint) TLS already protects the body, so parts go as UNSIGNED-PAYLOAD with
    // the CRC32 trailer S3 checks: SigV4's own SHA-256 of every byte was a second hash pass beside the service's.
    // Over plain http the SDK refuses unsigned payloads, and the signature is all that protects the bytes.
    private readonly bool _unsignedPayload;

    // Presigning costs a SigV4 signature per URL, on every read of a video. A URL is reused for half its
    // lifetime, so a client is always handed one valid for at least half of Storage:S3:UrlExpiryMinutes.
    private readonly MemoryCache _playbackUrls;

    public S3StorageProvider(IOptions<S3Options> options, TimeProvider time, ILogger<S3StorageProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _time = time;

        // The cache's expiry and the URL's own expiry read the same clock, so "half its lifetime" holds exactly.
        _playbackUrls = new MemoryCache(new MemoryCacheOptions { SizeLimit = 50_000, Clock = new TimeProviderClock(time) });
        if (_options.IsConfigured)
        {
            _client = CreateClient(_options, _options.ServiceUrl);
            _presigner = string.IsNullOrEmpty(_options.PublicServiceUrl) ? _client : CreateClient(_options, _options.PublicServiceUrl);
            _unsignedPayload = !IsHttpEndpoint(_options.ServiceUrl);
        }
    }

    public string Name => ProviderName;

    public bool IsConfigured => _client is not null;

    private AmazonS3Client Client => _client ?? throw new InvalidOperationException("S3 is not configured (AWS_S3_BUCKET_NAME is not set).");

    private string Bucket => _options.BucketName!;

    public async Task<ProviderStoredFile> UploadAsync(ProviderUpload upload, ISpooledSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(source);
        var key = _options.KeyPrefix + upload.Key;
        string? uploadId = null;
        var initiateSent = false;
        var objectMayExist = false;
        var completed = false;

        // Parts go up several at a time (each straight from its spool range): one at a time leaves the
        // connection idle while S3 digests every part, which made uploads through the API ~1.5x slower
        // than the SDK's own parallel upload of the same file (./stremora bench).
        using var parts = new PartUploads<PartETag>(_options.ConcurrentParts, cancellationToken);
        try
        {
            var partNumber = 0;
            await foreach (var chunk in source.ChunksAsync(_options.PartSizeBytes, parts.Token))
            {
                if (chunk.IsLast && partNumber == 0)
                {
                    // One chunk is the whole file: no multipart upload to manage.
                    await using var body = source.OpenRange(chunk.Offset, chunk.Length);
                    objectMayExist = true;
                    await Client.PutObjectAsync(
                        new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = body, ContentType = upload.ContentType, AutoCloseStream = false, DisablePayloadSigning = _unsignedPayload },
                        cancellationToken);
                    completed = true;
                    break;
                }

                initiateSent = true;
                var id = uploadId ??= (await Client.InitiateMultipartUploadAsync(
                    new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key, ContentType = upload.ContentType },
                    cancellationToken)).UploadId;
                var number = ++partNumber;
                await parts.StartAsync(token => UploadPartAsync(source, key, id, number, chunk, token));

                if (chunk.IsLast)
                {
                    var etags = await parts.AllAsync();
                    objectMayExist = true;
                    await Client.CompleteMultipartUploadAsync(
                        new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = uploadId, PartETags = [.. etags] },
                        cancellationToken);
                    completed = true;
                }
            }

            var head = await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, cancellationToken);
            return new ProviderStoredFile(key, Url: "", head.ContentLength);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failed part stops the others; the first real failure (not the cancellations it caused) is reported.
            var failure = await parts.StopAsync(e);

            // A request cancelled in flight (client gone, attempt timed out) may still have been carried out
            // by S3: an initiate whose answer never came left a multipart upload we have no id for (keys are
            // unique per upload, so every one under the key is ours), a PUT or complete may have stored the
            // object. Those checks get a short time limit: S3 may be the one not answering.
            var unanswered = e is OperationCanceledException;
            if (uploadId is not null && !completed)
            {
                await AbortQuietlyAsync(key, uploadId);
            }
            else if (uploadId is null && initiateSent && unanswered)
            {
                await AbortAllUnderKeyQuietlyAsync(key);
            }

            if (completed || (objectMayExist && unanswered))
            {
                // Stored but not confirmed (HeadObject failed or we were cancelled): nobody will reference it.
                await DeleteQuietlyAsync(key, completed ? CleanupTimeout : UncertainCleanupTimeout);
            }

            throw Translate(failure, "upload");
        }
    }

    private async Task<PartETag> UploadPartAsync(ISpooledSource source, string key, string uploadId, int partNumber, SpoolChunk chunk, CancellationToken cancellationToken)
    {
        await using var body = source.OpenRange(chunk.Offset, chunk.Length);
        var part = await Client.UploadPartAsync(
            new UploadPartRequest
            {
                BucketName = Bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = partNumber,
                InputStream = body,
                PartSize = chunk.Length,
                IsLastPart = chunk.IsLast,
                DisablePayloadSigning = _unsignedPayload,
            },
            cancellationToken);
        return new PartETag(partNumber, part.ETag);
    }

    public async Task DeleteAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        _playbackUrls.Remove(file.Locator);
        try
        {
            // S3 answers 204 for a key that does not exist: deletes are idempotent as they are.
            await Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = file.Locator }, cancellationToken);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or SocketException)
        {
            throw Translate(e, "delete");
        }
    }

    public async Task<string> GetPlaybackUrlAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (_playbackUrls.TryGetValue(file.Locator, out string? cached) && cached is not null)
        {
            return cached;
        }

        var lifetime = TimeSpan.FromMinutes(_options.UrlExpiryMinutes);
        var request = new GetPreSignedUrlRequest
        {
            BucketName = Bucket,
            Key = file.Locator,
            Verb = HttpVerb.GET,
            Expires = _time.GetUtcNow().UtcDateTime + lifetime,

            // The SDK presigns https unless told otherwise; a plain-http endpoint (moto, MinIO) needs http URLs.
            Protocol = IsHttpEndpoint(string.IsNullOrEmpty(_options.PublicServiceUrl) ? _options.ServiceUrl : _options.PublicServiceUrl) ? Protocol.HTTP : Protocol.HTTPS,
        };
        var url = await (_presigner ?? Client).GetPreSignedURLAsync(request);
        _playbackUrls.Set(file.Locator, url, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime / 2, Size = 1 });
        return url;
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_presigner, _client))
        {
            _presigner?.Dispose();
        }

        _client?.Dispose();
        _playbackUrls.Dispose();
    }

    private static AmazonS3Client CreateClient(S3Options options, string? serviceUrl)
    {
        // The SDK reads a part's stream and writes the request in BufferSize pieces: at its 8 KiB default that is a
        // pread and a send per 8 KiB of every part (~130 000 system calls per GiB). 256 KiB pieces cost the same copies.
        var config = new AmazonS3Config { BufferSize = 256 * 1024 };
        if (!string.IsNullOrEmpty(serviceUrl))
        {
            // A custom endpoint (MinIO, moto, another S3-compatible store) means path-style addressing.
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = string.IsNullOrWhiteSpace(options.Region) ? "us-east-1" : options.Region;
            config.ForcePathStyle = true;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return string.IsNullOrEmpty(options.AccessKeyId)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey), config);
    }

    private static bool IsHttpEndpoint(string? serviceUrl) =>
        serviceUrl is { } url && url.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// S3's status and error code only: messages can name hosts and buckets, and the result is shown in attempt lists.
    /// Cancellation and a broken spool pass through untouched: the chain decides what they mean.
    /// </summary>
    private Exception Translate(Exception e, string operation) => e switch
    {
        OperationCanceledException or SpoolAbortedException or StorageProviderException => e,
        AmazonServiceException s when s.StatusCode != 0 => new StorageProviderException(
            Name,
            $"S3 {operation} failed: {(int)s.StatusCode} {s.ErrorCode}".TrimEnd(),
            isTransient: (int)s.StatusCode >= 500 || s.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout,
            e)
        {
            RefusedTheFile = StorageProviderException.IsRefusalOfTheFile((int)s.StatusCode),
        },
        AmazonServiceException or HttpRequestException or IOException or SocketException or AmazonClientException =>
            new StorageProviderException(Name, $"S3 {operation} failed: S3 unreachable", isTransient: true, e),
        _ => e,
    };
}

/// <summary>MemoryCache still takes its clock as an ISystemClock.</summary>
internal sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
{
    public DateTimeOffset UtcNow => time.GetUtcNow();
}
