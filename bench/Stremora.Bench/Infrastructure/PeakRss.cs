using System.Globalization;

namespace Stremora.Bench.Infrastructure;

/// <summary>
/// Peak resident memory of another process over a window: the kernel's own high-water mark (VmHWM,
/// reset through /proc/PID/clear_refs) and, beside it, VmRSS sampled every few milliseconds in case
/// the reset is not allowed. The larger of the two is the peak.
/// </summary>
internal sealed class PeakRss : IAsyncDisposable
{
    private readonly int _pid;
    private readonly bool _hwmReset;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _sampledPeakKb;

    private PeakRss(int pid)
    {
        _pid = pid;
        _hwmReset = TryResetHighWaterMark(pid);
        _sampledPeakKb = ReadKb(pid, "VmRSS:");
        _sampler = Task.Run(() => SampleAsync(_stop.Token));
    }

    public static PeakRss Start(int pid) => new(pid);

    public static double CurrentMiB(int pid) => ReadKb(pid, "VmRSS:") / 1024.0;

    /// <summary>Stops sampling and returns the peak in MiB.</summary>
    public async Task<double> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        var hwm = _hwmReset ? ReadKb(_pid, "VmHWM:") : 0;
        return Math.Max(hwm, Interlocked.Read(ref _sampledPeakKb)) / 1024.0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var rss = ReadKb(_pid, "VmRSS:");
                if (rss > Interlocked.Read(ref _sampledPeakKb))
                {
                    Interlocked.Exchange(ref _sampledPeakKb, rss);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static bool TryResetHighWaterMark(int pid)
    {
        try
        {
            // "5" resets the peak resident set size to the current one (Linux 4.0+).
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long ReadKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var value = line[field.Length..].Trim();
                    return long.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process is gone.
        }

        return 0;
    }
}
