using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Failover;

/// <summary>The spool's writer saw more than the request's MaxBytes; the chain reports it as <see cref="StoreOutcome.TooLarge"/>.</summary>
internal sealed class FileTooLargeException(StoredFileKind kind, long maxBytes)
    : Exception($"The {kind.ToString().ToLowerInvariant()} is larger than the limit of {maxBytes} bytes.")
{
    public StoredFileKind Kind { get; } = kind;

    public long MaxBytes { get; } = maxBytes;
}
