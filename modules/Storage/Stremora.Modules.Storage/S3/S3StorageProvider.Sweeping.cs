using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.S3;

/// <summary>The abandoned-upload sweep: multipart uploads under the service's key prefix that a crash left unfinished.</summary>
internal sealed partial class S3StorageProvider : IAbandonedUploadSweeper
{
    public async Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, Func<string, bool> isOurs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(isOurs);
        if (string.IsNullOrEmpty(_options.KeyPrefix))
        {
            // Every multipart upload in the bucket would be a candidate, the bucket's other users' included.
            throw new StorageProviderException(Provider, "s3 has no key prefix (Storage:S3:KeyPrefix): the abandoned-upload sweep will not abort uploads it cannot tell from others'.", isTransient: false);
        }

        var cutoff = DateTime.UtcNow - olderThan;
        var aborted = 0;
        string? keyMarker = null;
        string? uploadIdMarker = null;
        try
        {
            while (true)
            {
                var page = await Client.ListMultipartUploadsAsync(
                    new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = _options.KeyPrefix, KeyMarker = keyMarker, UploadIdMarker = uploadIdMarker },
                    cancellationToken);
                foreach (var stale in (page.MultipartUploads ?? []).Where(u => u.Initiated is { } at && at.ToUniversalTime() < cutoff && isOurs(u.Key[_options.KeyPrefix.Length..])))
                {
                    try
                    {
                        await Client.AbortMultipartUploadAsync(
                            new AbortMultipartUploadRequest { BucketName = Bucket, Key = stale.Key, UploadId = stale.UploadId },
                            cancellationToken);
                        aborted++;
                    }
                    catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                    {
                        // Finished or aborted meanwhile (another instance's sweep): done either way.
                    }
                }

                if (page.IsTruncated != true)
                {
                    return aborted;
                }

                keyMarker = page.NextKeyMarker;
                uploadIdMarker = page.NextUploadIdMarker;
            }
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or SocketException)
        {
            throw Translate(e, "abandoned-upload sweep");
        }
    }
}
