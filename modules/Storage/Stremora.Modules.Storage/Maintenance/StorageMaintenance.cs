using System.Runtime.CompilerServices;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Maintenance;

/// <summary>The upkeep contract over the chain: listing and probing by provider, and copies fed to the primary alone.</summary>
internal sealed class StorageMaintenance(FailoverChain chain, IEnumerable<IStoredFileLister> listers, StoredFileReader reader) : IStorageMaintenance
{
    private readonly Dictionary<string, IStoredFileLister> _listers = listers.ToDictionary(l => l.Provider, StringComparer.Ordinal);

    public PrimaryProvider Primary => new(chain.Links[0].Name, chain.Links[0].CircuitState);

    public IReadOnlyList<string> Providers => [.. chain.Links.Select(l => l.Name)];

    public async IAsyncEnumerable<ListedFile> ListStoredAsync(string provider, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var stored in ListerFor(provider).ListAsync(cancellationToken))
        {
            yield return stored;
        }
    }

    public Task<bool> ExistsAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        return ListerFor(file.Provider).ExistsAsync(file, cancellationToken);
    }

    public async Task<StoreOutcome> CopyToPrimaryAsync(StoredFile from, StoreFileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(request);
        var primary = chain.Links[0];
        if (from.Provider == primary.Name)
        {
            throw new InvalidOperationException($"The file is already on the primary provider {primary.Name}.");
        }

        await using var source = await reader.OpenReadAsync(chain.ProviderFor(from), from, cancellationToken);
        return await chain.StoreAsync(request, source, [primary], cancellationToken);
    }

    private IStoredFileLister ListerFor(string provider) =>
        _listers.GetValueOrDefault(provider)
        ?? throw new StorageListingException(provider, $"{provider} cannot be listed.");
}
