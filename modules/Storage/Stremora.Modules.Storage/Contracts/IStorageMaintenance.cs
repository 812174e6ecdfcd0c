namespace Stremora.Modules.Storage.Contracts;

/// <summary>
/// Provider-level upkeep for the catalog's background jobs (return-to-primary and reconciliation).
/// Storage knows nothing of videos: the caller decides what is an orphan or a move; this only lists,
/// probes and copies files.
/// </summary>
public interface IStorageMaintenance
{
    /// <summary>The provider uploads go to first and its circuit state.</summary>
    PrimaryProvider Primary { get; }

    /// <summary>The providers uploads may go to, in chain order (the primary first).</summary>
    IReadOnlyList<string> Providers { get; }

    /// <summary>
    /// Every file the provider holds under this service's folder/prefix (never anything outside it).
    /// Throws <see cref="StorageListingException"/> when the provider cannot be listed safely.
    /// </summary>
    IAsyncEnumerable<ListedFile> ListStoredAsync(string provider, CancellationToken cancellationToken);

    /// <summary>Asks the provider now whether it still holds <paramref name="file"/>.</summary>
    Task<bool> ExistsAsync(StoredFile file, CancellationToken cancellationToken);

    /// <summary>
    /// Streams <paramref name="from"/> (read from its provider, never held in memory) into the primary
    /// provider alone, through the chain's upload path: hashed and counted on the way, verified, and
    /// counted against the primary's circuit. Ends like <see cref="IVideoStorage.StoreAsync"/>; the
    /// source file is never touched.
    /// </summary>
    Task<StoreOutcome> CopyToPrimaryAsync(StoredFile from, StoreFileRequest request, CancellationToken cancellationToken);
}

/// <param name="CircuitState"><c>closed</c>, <c>open</c> or <c>half-open</c> (the break is over; the next call is a probe).</param>
public sealed record PrimaryProvider(string Name, string CircuitState)
{
    /// <summary>False while its circuit is open: nothing should be sent to it.</summary>
    public bool AcceptsWork => CircuitState is "closed" or "half-open";
}

/// <param name="File">What to pass back to delete or probe it; its <see cref="StoredFile.Bytes"/> is the size the provider reports.</param>
/// <param name="CreatedAt">When the provider says it was written (for grace periods).</param>
public sealed record ListedFile(StoredFile File, DateTimeOffset CreatedAt);

/// <summary>A provider could not be listed (unreachable, or no folder/prefix that would keep others' files out of reach).</summary>
public sealed class StorageListingException(string provider, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Provider { get; } = provider;
}
