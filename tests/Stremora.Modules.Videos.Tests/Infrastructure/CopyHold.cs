using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>
/// Holds the next return-to-primary copy of one video's file once its bytes are on the primary and before the job records the move:
/// a copy that takes as long as a test needs, so another run can start while it is in flight.
/// </summary>
public sealed class CopyHold
{
    private readonly Lock _lock = new();
    private (Guid VideoId, HeldCopy Copy)? _next;

    public HeldCopy HoldNext(Guid videoId)
    {
        var held = new HeldCopy();
        lock (_lock)
        {
            _next = (videoId, held);
        }

        return held;
    }

    internal HeldCopy? Take(StoreFileRequest request)
    {
        lock (_lock)
        {
            if (_next is not { } next || !request.Key.Contains($"{next.VideoId:N}", StringComparison.Ordinal))
            {
                return null;
            }

            _next = null;
            return next.Copy;
        }
    }
}

public sealed class HeldCopy
{
    private readonly TaskCompletionSource _landed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the copy is on the primary and the job waits.</summary>
    public Task Landed => _landed.Task;

    public void Release() => _released.TrySetResult();

    internal async Task WaitAsync(CancellationToken cancellationToken)
    {
        _landed.TrySetResult();
        await _released.Task.WaitAsync(cancellationToken);
    }
}

/// <summary>The host's maintenance service with <see cref="CopyHold"/> between a copy and its caller.</summary>
internal sealed class HoldableStorageMaintenance(IStorageMaintenance inner, CopyHold hold) : IStorageMaintenance
{
    public PrimaryProvider Primary => inner.Primary;

    public IReadOnlyList<string> Providers => inner.Providers;

    public IAsyncEnumerable<ListedFile> ListStoredAsync(string provider, CancellationToken cancellationToken) => inner.ListStoredAsync(provider, cancellationToken);

    public Task<bool> ExistsAsync(StoredFile file, CancellationToken cancellationToken) => inner.ExistsAsync(file, cancellationToken);

    public async Task<StoreOutcome> CopyToPrimaryAsync(StoredFile from, StoreFileRequest request, CancellationToken cancellationToken)
    {
        var held = hold.Take(request);
        var result = await inner.CopyToPrimaryAsync(from, request, cancellationToken);
        if (held is not null)
        {
            await held.WaitAsync(cancellationToken);
        }

        return result;
    }
}
