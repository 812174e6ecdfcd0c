using System.Collections.Concurrent;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>
/// Makes the next removal of one video's file fail (a provider hiccup) after running a test's action first,
/// such as taking PostgreSQL away: the cleanup job then meets both at once. Or holds a video's removals until
/// released, or fails every removal for a while: a test then sees what is served between a change and the removal.
/// </summary>
public sealed class DeleteHold
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _held = new();
    private (Guid VideoId, Action Before, TaskCompletionSource Fired)? _next;
    private int _failingAll;

    /// <summary>Every removal of <paramref name="videoId"/>'s files waits (the cleanup job with it) until the result is disposed.</summary>
    public IDisposable Hold(Guid videoId)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _held[videoId] = gate;
        return new Release(() =>
        {
            _held.TryRemove(videoId, out _);
            gate.TrySetResult();
        });
    }

    /// <summary>Every removal of any file fails (a provider refusing deletes) until the result is disposed.</summary>
    public IDisposable FailAll()
    {
        Interlocked.Increment(ref _failingAll);
        return new Release(() => Interlocked.Decrement(ref _failingAll));
    }

    internal async Task WaitWhileHeldAsync(StoredFile file, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _failingAll) > 0)
        {
            throw new IOException("Simulated provider refusing every removal.");
        }

        foreach (var (videoId, gate) in _held)
        {
            if (file.Locator.Contains($"{videoId:N}", StringComparison.Ordinal))
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
        }
    }

    /// <returns>Completes once the removal has failed.</returns>
    public Task FailNext(Guid videoId, Action before)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _next = (videoId, before, fired);
        }

        return fired.Task;
    }

    internal void ThrowIfHeld(StoredFile file)
    {
        (Guid VideoId, Action Before, TaskCompletionSource Fired) next;
        lock (_lock)
        {
            if (_next is not { } held || !file.Locator.Contains($"{held.VideoId:N}", StringComparison.Ordinal))
            {
                return;
            }

            next = held;
            _next = null;
        }

        try
        {
            next.Before();
        }
        catch (Exception e)
        {
            // The test waiting on the removal hears why it never came, rather than waiting out its timeout.
            next.Fired.TrySetException(e);
            throw;
        }

        next.Fired.TrySetResult();
        throw new IOException("Simulated provider hiccup.");
    }

    private sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}

/// <summary>The host's storage with <see cref="DeleteHold"/> in front of its deletes.</summary>
internal sealed class HoldableVideoStorage(IVideoStorage inner, DeleteHold hold) : IVideoStorage
{
    public Task<StoreOutcome> StoreAsync(StoreFileRequest request, Stream content, CancellationToken cancellationToken) => inner.StoreAsync(request, content, cancellationToken);

    public async Task DeleteAsync(StoredFile file, CancellationToken cancellationToken)
    {
        hold.ThrowIfHeld(file);
        await hold.WaitWhileHeldAsync(file, cancellationToken);
        await inner.DeleteAsync(file, cancellationToken);
    }

    public Task<string> GetPlaybackUrlAsync(StoredFile file, CancellationToken cancellationToken) => inner.GetPlaybackUrlAsync(file, cancellationToken);

    public Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, Func<string, bool> isOurs, CancellationToken cancellationToken) => inner.AbortAbandonedUploadsAsync(olderThan, isOurs, cancellationToken);
}
