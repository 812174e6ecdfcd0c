using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Maintenance;

/// <summary>A provider that can list the files it holds under this service's folder/prefix, and probe one.</summary>
internal interface IStoredFileLister
{
    /// <summary>The provider's name, as in <see cref="Failover.IStorageProvider.Name"/>.</summary>
    string Provider { get; }

    /// <summary>Only what lies under the service's folder/prefix; throws <see cref="StorageListingException"/> when there is none.</summary>
    IAsyncEnumerable<ListedFile> ListAsync(CancellationToken cancellationToken);

    Task<bool> ExistsAsync(StoredFile file, CancellationToken cancellationToken);
}
