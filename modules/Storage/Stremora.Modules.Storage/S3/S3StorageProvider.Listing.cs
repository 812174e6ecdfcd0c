using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Maintenance;

namespace Stremora.Modules.Storage.S3;

/// <summary>Listing for reconciliation: ListObjectsV2 under the service's key prefix, a page of 1000 at a time.</summary>
internal sealed partial class S3StorageProvider : IStoredFileLister
{
    public string Provider => ProviderName;

    public async IAsyncEnumerable<ListedFile> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_options.KeyPrefix))
        {
            throw new StorageListingException(Provider, "s3 has no key prefix (Storage:S3:KeyPrefix): the service's objects cannot be told from others'.");
        }

        await foreach (var stored in ListUnderAsync(_options.KeyPrefix, cancellationToken))
        {
            yield return stored;
        }
    }

    public async Task<bool> ExistsAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = file.Locator }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or SocketException)
        {
            throw new StorageListingException(Provider, "s3 could not be asked whether it holds a file: " + Translate(e, "probe").Message, e);
        }
    }

    private async IAsyncEnumerable<ListedFile> ListUnderAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? continuation = null;
        do
        {
            ListObjectsV2Response page;
            try
            {
                page = await Client.ListObjectsV2Async(
                    new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, ContinuationToken = continuation },
                    cancellationToken);
            }
            catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or SocketException)
            {
                throw new StorageListingException(Provider, "s3 could not be listed: " + Translate(e, "listing").Message, e);
            }

            foreach (var item in page.S3Objects ?? [])
            {
                // "thumbnail", or "thumbnail.{moveId}" for a copy a move wrote.
                var kind = item.Key[(item.Key.LastIndexOf('/') + 1)..].StartsWith("thumbnail", StringComparison.Ordinal) ? StoredFileKind.Thumbnail : StoredFileKind.Video;
                var modified = item.LastModified is { } at ? new DateTimeOffset(at.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MaxValue;
                yield return new ListedFile(new StoredFile(Provider, item.Key, kind, Bytes: item.Size ?? 0), modified);
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
    }
}
