namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// Optional beside <see cref="IStorageProvider"/>: a provider that can find and abort uploads it started
/// but never finished (S3 multipart uploads). The chain asks every configured provider that implements it.
/// </summary>
internal interface IAbandonedUploadSweeper
{
    Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, CancellationToken cancellationToken);
}
