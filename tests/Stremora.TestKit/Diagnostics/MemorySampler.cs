using System.Diagnostics;

namespace Stremora.TestKit.Diagnostics;

/// <summary>
/// Samples this process's live managed heap and its private bytes while something runs, keeping the
/// peaks, so a test can assert that memory did not grow with the size of a file.
/// (Allocated-bytes counters are the wrong measure: streaming allocates and frees buffers all along.
/// The heap is measured after a full collection: uncollected garbage, whose amount depends on when the
/// GC happens to run on a loaded machine, says nothing about what the upload holds on to.)
/// Run such tests in a non-parallel collection so other tests' allocations do not count.
/// </summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private readonly Task _heapSampling;
    private long _peakManaged;
    private long _peakPrivate;
    private int _stopped;

    private MemorySampler()
    {
        // Baselines after a full collection: what is live before the work starts.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        BaselineManaged = GC.GetTotalMemory(forceFullCollection: true);
        BaselinePrivate = PrivateBytes();
        _peakManaged = BaselineManaged;
        _peakPrivate = BaselinePrivate;
        _sampling = Task.Run(SamplePrivateBytesAsync);
        _heapSampling = Task.Run(SampleLiveHeapAsync);
    }

    public long BaselineManaged { get; }

    public long BaselinePrivate { get; }

    public long ManagedGrowth => Interlocked.Read(ref _peakManaged) - BaselineManaged;

    public long PrivateGrowth => Interlocked.Read(ref _peakPrivate) - BaselinePrivate;

    public static MemorySampler Start() => new();

    /// <summary>Stops sampling; safe to call more than once (stop, assert, then leave the using block).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await _sampling;
        await _heapSampling;
        _stop.Dispose();
    }

    public override string ToString() =>
        $"managed heap peak growth {ManagedGrowth / 1048576.0:0.0} MiB, private bytes peak growth {PrivateGrowth / 1048576.0:0.0} MiB";

    private async Task SamplePrivateBytesAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                RaisePeak(ref _peakPrivate, PrivateBytes());
            }
        }
        catch (OperationCanceledException)
        {
            RaisePeak(ref _peakPrivate, PrivateBytes());
        }
    }

    /// <summary>A full collection is a pause of its own: a few a second are enough to see a buffer that grows with the file.</summary>
    private async Task SampleLiveHeapAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                RaisePeak(ref _peakManaged, GC.GetTotalMemory(forceFullCollection: true));
            }
        }
        catch (OperationCanceledException)
        {
            RaisePeak(ref _peakManaged, GC.GetTotalMemory(forceFullCollection: true));
        }
    }

    private static void RaisePeak(ref long peak, long value)
    {
        if (value > Interlocked.Read(ref peak))
        {
            Interlocked.Exchange(ref peak, value);
        }
    }

    private static long PrivateBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PrivateMemorySize64;
    }
}
