using System.Diagnostics;

namespace Stremora.TestKit.Diagnostics;

/// <summary>
/// Samples this process's managed heap (GC.GetTotalMemory) and private bytes while something runs,
/// keeping the peaks, so a test can assert that memory did not grow with the size of a file.
/// (Allocated-bytes counters are the wrong measure: streaming allocates and frees buffers all along.)
/// Run such tests in a non-parallel collection so other tests' allocations do not count.
/// </summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
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
        _sampling = Task.Run(SampleAsync);
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
        _stop.Dispose();
    }

    public override string ToString() =>
        $"managed heap peak growth {ManagedGrowth / 1048576.0:0.0} MiB, private bytes peak growth {PrivateGrowth / 1048576.0:0.0} MiB";

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            Sample();
        }
    }

    private void Sample()
    {
        var managed = GC.GetTotalMemory(forceFullCollection: false);
        var privateBytes = PrivateBytes();
        if (managed > Interlocked.Read(ref _peakManaged))
        {
            Interlocked.Exchange(ref _peakManaged, managed);
        }

        if (privateBytes > Interlocked.Read(ref _peakPrivate))
        {
            Interlocked.Exchange(ref _peakPrivate, privateBytes);
        }
    }

    private static long PrivateBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PrivateMemorySize64;
    }
}
