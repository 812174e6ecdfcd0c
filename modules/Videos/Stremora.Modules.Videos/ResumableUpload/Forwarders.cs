using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// This instance's forwarders (one background task per upload, storing its bytes while they arrive) and the
/// in-process signal each chunk gives them. Which instance forwards an upload is decided by its storing lock
/// (<see cref="ResumableUpload.StoringLockKey"/>), not here: this only keeps one task per upload on this instance.
/// </summary>
internal sealed partial class Forwarders(IHostApplicationLifetime lifetime, ILogger<Forwarders> logger)
{
    private readonly ConcurrentDictionary<Guid, Task> _running = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _signals = new();

    /// <summary>Starts <paramref name="forward"/> for the upload unless this instance already runs one; it runs until it ends, or the host stops.</summary>
    public void StartIfIdle(Guid id, Func<CancellationToken, Task> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_running.TryAdd(id, start.Task))
        {
            return;
        }

        _ = Task.Run(
            async () =>
            {
                try
                {
                    await forward(lifetime.ApplicationStopping);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The completion path stores from the staged file: a forwarder's failure costs time, not bytes.
                    LogForwarderFailed(logger, e, id);
                }
                finally
                {
                    _running.TryRemove(id, out _);
                    _signals.TryRemove(id, out _);
                    start.TrySetResult();
                }
            },
            CancellationToken.None);
    }

    /// <summary>This instance's forwarder of the upload, while it runs (it never faults).</summary>
    public Task? Running(Guid id) => _running.GetValueOrDefault(id);

    /// <summary>Completes at the next <see cref="Signal"/> of the upload.</summary>
    public Task NextSignal(Guid id) =>
        _signals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>The upload's recorded offset moved, or it ended: its forwarder looks again.</summary>
    public void Signal(Guid id)
    {
        if (_signals.TryRemove(id, out var signal))
        {
            signal.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding upload {VideoId} failed; its completion stores it from the staged file")]
    private static partial void LogForwarderFailed(ILogger logger, Exception exception, Guid videoId);
}
