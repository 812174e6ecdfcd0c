using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Rebalance;

/// <summary>
/// A file was copied to another provider, verified (size and SHA-256 as the catalog has them) and the video
/// now plays from there. The old copy's removal is scheduled in the same transaction.
/// </summary>
internal sealed record VideoFileMoved(
    StoredFileKind File,
    string FromProvider,
    string FromLocator,
    string ToProvider,
    string ToLocator,
    string? ToProviderUrl,
    long Bytes,
    string Sha256,
    string Reason,
    DateTimeOffset MovedAt);
