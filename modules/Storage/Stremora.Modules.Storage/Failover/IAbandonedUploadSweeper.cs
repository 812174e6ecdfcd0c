namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// Optional beside <see cref="IStorageProvider"/>: a provider that can find and abort uploads it started
/// but never finished (S3 multipart uploads). The chain asks every configured provider that implements it.
/// </summary>
internal interface IAbandonedUploadSweeper
{
    /// <param name="isOurs">Whether a key (relative to the provider's own prefix) is one the service made; nothing else is touched.</param>
    Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, Func<string, bool> isOurs, CancellationToken cancellationToken);
}
