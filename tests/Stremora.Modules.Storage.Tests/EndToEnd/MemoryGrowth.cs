using System.Diagnostics;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

/// <summary>
/// Peak memory growth of this whole test process (host, fake Cloudinary and test) over a baseline:
/// live managed heap after a full collection, and the process's resident set. Sampled on a timer and
/// whenever <see cref="Sample"/> is called (tests call it as the upload's bytes pass by, so the number
/// of samples does not depend on timing).
/// </summary>
internal sealed class MemoryGrowth : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly long _baselineManaged;
    private readonly long _baselineResident;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _timer;
    private long _peakManaged;
    private long _peakResident;

    private MemoryGrowth()
    {
        (_baselineManaged, _baselineResident) = Measure();
        (_peakManaged, _peakResident) = (_baselineManaged, _baselineResident);
        _timer = Task.Run(SampleOnTimerAsync);
    }

    public long ManagedGrowthBytes
    {
        get
        {
            lock (_gate)
            {
                return _peakManaged - _baselineManaged;
            }
        }
    }

    public long ResidentGrowthBytes
    {
        get
        {
            lock (_gate)
            {
                return _peakResident - _baselineResident;
            }
        }
    }

    public int Samples { get; private set; }

    public static MemoryGrowth Start() => new();

    public void Sample()
    {
        var (managed, resident) = Measure();
        lock (_gate)
        {
            _peakManaged = Math.Max(_peakManaged, managed);
            _peakResident = Math.Max(_peakResident, resident);
            Samples++;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _timer;
        _stop.Dispose();
    }

    public override string ToString() =>
        $"managed +{ManagedGrowthBytes / (1024 * 1024)} MiB, resident +{ResidentGrowthBytes / (1024 * 1024)} MiB over {Samples} samples";

    private static (long Managed, long Resident) Measure()
    {
        // Live bytes only: garbage not yet collected says nothing about what the upload holds on to.
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var self = Process.GetCurrentProcess();
        return (managed, self.WorkingSet64);
    }

    private async Task SampleOnTimerAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
