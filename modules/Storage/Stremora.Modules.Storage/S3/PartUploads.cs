using Amazon.S3.Model;

namespace Stremora.Modules.Storage.S3;

/// <summary>
/// The parts of one multipart upload in flight, at most <c>concurrency</c> at a time. The first part that
/// fails cancels the others, and that failure (not the cancellations it caused) is what the upload reports.
/// </summary>
internal sealed class PartUploads(int concurrency, CancellationToken cancellationToken) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(concurrency, concurrency);
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    private readonly List<Task<PartETag>> _inFlight = [];
    private Exception? _firstFailure;

    /// <summary>Cancelled by the caller or by the first failed part.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Waits for a free slot, then starts the part in the background.</summary>
    public async Task StartAsync(Func<CancellationToken, Task<PartETag>> upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        await _slots.WaitAsync(_stop.Token);
        _inFlight.Add(RunAsync(upload));
    }

    /// <summary>Every part's ETag in part order, once all have finished.</summary>
    public async Task<IReadOnlyList<PartETag>> AllAsync()
    {
        var etags = await Task.WhenAll(_inFlight);
        return [.. etags.OrderBy(p => p.PartNumber)];
    }

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

    private async Task<PartETag> RunAsync(Func<CancellationToken, Task<PartETag>> upload)
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
