using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Maintenance;

/// <summary>
/// Optional for a provider whose files can be read without a playback URL (local disk reads from the disk);
/// any other provider's files are read from the URL it gives.
/// </summary>
internal interface IStoredFileOpener
{
    /// <summary>The provider's name, as in <see cref="Failover.IStorageProvider.Name"/>.</summary>
    string Provider { get; }

    /// <summary>A read-only stream over the stored file, never buffered; throws <see cref="Failover.StorageProviderException"/> when it is missing.</summary>
    Stream OpenRead(StoredFile file);
}
