using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>
/// Makes the next removal of one video's file fail (a provider hiccup) after running a test's action first,
/// such as taking PostgreSQL away: the cleanup job then meets both at once.
/// </summary>
public sealed class DeleteHold
{
    private readonly Lock _lock = new();
    private (Guid VideoId, Action Before, TaskCompletionSource Fired)? _next;

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

        next.Before();
        next.Fired.TrySetResult();
        throw new IOException("Simulated provider hiccup.");
    }
}

/// <summary>The host's storage with <see cref="DeleteHold"/> in front of its deletes.</summary>
internal sealed class HoldableVideoStorage(IVideoStorage inner, DeleteHold hold) : IVideoStorage
{
    public Task<StoreOutcome> StoreAsync(StoreFileRequest request, Stream content, CancellationToken cancellationToken) => inner.StoreAsync(request, content, cancellationToken);

    public Task DeleteAsync(StoredFile file, CancellationToken cancellationToken)
    {
        hold.ThrowIfHeld(file);
        return inner.DeleteAsync(file, cancellationToken);
    }

    public Task<string> GetPlaybackUrlAsync(StoredFile file, CancellationToken cancellationToken) => inner.GetPlaybackUrlAsync(file, cancellationToken);

    public Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, Func<string, bool> isOurs, CancellationToken cancellationToken) => inner.AbortAbandonedUploadsAsync(olderThan, isOurs, cancellationToken);
}
