namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// The parts of one upload in flight (S3 multipart parts, Cloudinary chunks), at most <c>concurrency</c> at a time.
/// The first part that fails cancels the others, and that failure (not the cancellations it caused) is what the upload reports.
/// </summary>
/// <typeparam name="TPart">What a sent part answers (an S3 part's ETag).</typeparam>
internal sealed class PartUploads<TPart>(int concurrency, CancellationToken cancellationToken) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(concurrency, concurrency);
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    private readonly List<Task<TPart>> _inFlight = [];
    private Exception? _firstFailure;

    /// <summary>Cancelled by the caller or by the first failed part.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Waits for a free slot, then starts the part in the background.</summary>
    public async Task StartAsync(Func<CancellationToken, Task<TPart>> upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        await _slots.WaitAsync(_stop.Token);
        _inFlight.Add(RunAsync(upload));
    }

    /// <summary>Every part's answer in the order the parts were started, once all have finished.</summary>
    public async Task<IReadOnlyList<TPart>> AllAsync() => await Task.WhenAll(_inFlight);

    /// <summary>Cancels what is still running, waits for it, and returns the failure to report.</summary>
    public async Task<Exception> StopAsync(Exception caught)
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_inFlight);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The first part's own failure is kept in _firstFailure; the others are the cancellations it caused.
        }

        return Volatile.Read(ref _firstFailure) ?? caught;
    }

    public void Dispose()
    {
        _slots.Dispose();
        _stop.Dispose();
    }

    private async Task<TPart> RunAsync(Func<CancellationToken, Task<TPart>> upload)
    {
        try
        {
            return await upload(_stop.Token);
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            Interlocked.CompareExchange(ref _firstFailure, e, null);
            await _stop.CancelAsync();
            throw;
        }
        finally
        {
            _slots.Release();
        }
    }
}
