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

/// <summary>Undoing a failed or cancelled upload without letting the clean-up's own failure hide the first one.</summary>
internal sealed partial class S3StorageProvider
{
    private async Task AbortQuietlyAsync(string key, string uploadId)
    {
        using var cts = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = uploadId }, cts.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The abandoned-upload sweep is the backstop.
            LogCleanupFailed(e, "abort multipart upload", key);
        }
    }

    private async Task AbortAllUnderKeyQuietlyAsync(string key)
    {
        using var cts = new CancellationTokenSource(UncertainCleanupTimeout);
        try
        {
            var page = await Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = key }, cts.Token);
            foreach (var started in (page.MultipartUploads ?? []).Where(u => u.Key == key))
            {
                await Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = started.UploadId }, cts.Token);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The abandoned-upload sweep is the backstop.
            LogCleanupFailed(e, "abort multipart uploads under key", key);
        }
    }

    private async Task DeleteQuietlyAsync(string key, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }, cts.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogCleanupFailed(e, "delete object", key);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "S3 cleanup ({Operation}) failed for {Key}")]
    private partial void LogCleanupFailed(Exception exception, string operation, string key);
}
