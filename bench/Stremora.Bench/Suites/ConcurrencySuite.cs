using System.Diagnostics;
using Amazon.S3.Transfer;
using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;

namespace Stremora.Bench.Suites;

/// <summary>
/// 11. Concurrency: many uploads at once through the S3 chain (aggregate MB/s, and the API's peak RSS meanwhile)
/// versus the same uploads sent straight to moto with the AWS SDK at the same time; alternating runs.
/// </summary>
internal static class ConcurrencySuite
{
    private const int Uploads = 16;
    private const long PartBytes = 16 * Payloads.MiB;

    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var s3 = await context.S3Async();

        // Its own instance, so its peak RSS is this row's alone (the shared one has taken 512 MiB uploads).
        var api = await context.StartApiAsync("concurrency", await context.S3ChainSettingsAsync("concurrency"), cancellationToken);
        var file = context.Payloads.Get(options.ConcurrencyBytes);
        var bytes = (double)options.ConcurrencyBytes * Uploads;
        using var transfer = new TransferUtility(s3.Client, new TransferUtilityConfig { ConcurrentServiceRequests = 10 });

        async Task<(double MBps, double PeakMiB, double IdleMiB)> ThroughApi()
        {
            var idle = PeakRss.CurrentMiB(api.Pid);
            await using var peak = PeakRss.Start(api.Pid);
            var clock = Stopwatch.StartNew();
            var outcomes = await Task.WhenAll(Enumerable.Range(0, Uploads).Select(_ => UploadClient.UploadAsync(api.Http, context.Token, file, cancellationToken)));
            clock.Stop();
            var rss = await peak.StopAsync();
            foreach (var outcome in outcomes)
            {
                UploadSuites.Expect(outcome, "s3");
                await s3.DeleteAsync(outcome.Locator, cancellationToken);
            }

            return (bytes / 1e6 / clock.Elapsed.TotalSeconds, rss, idle);
        }

        async Task<double> Direct()
        {
            var keys = Enumerable.Range(0, Uploads).Select(i => $"bench/concurrent/{Guid.NewGuid():N}").ToList();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(keys.Select(key => transfer.UploadAsync(
                new TransferUtilityUploadRequest { BucketName = s3.Bucket, Key = key, FilePath = file, PartSize = PartBytes, ContentType = "video/mp4" },
                cancellationToken)));
            clock.Stop();
            foreach (var key in keys)
            {
                await s3.DeleteAsync(key, cancellationToken);
            }

            return bytes / 1e6 / clock.Elapsed.TotalSeconds;
        }

        // Warm-up: JIT tiers and connection pools on both sides.
        await ThroughApi();
        await Direct();

        var rates = new List<double>();
        var peaks = new List<double>();
        var idles = new List<double>();
        var direct = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            if (run % 2 == 1)
            {
                direct.Add(await Direct());
            }

            var (rate, rss, idle) = await ThroughApi();
            rates.Add(rate);
            peaks.Add(rss);
            idles.Add(idle);
            if (run % 2 == 0)
            {
                direct.Add(await Direct());
            }

            Console.WriteLine($"    {Uploads} concurrent uploads, run {run + 1}/{options.Runs}: {rates[^1]:0} MB/s (peak RSS {rss:0.0} MiB) vs direct {direct[^1]:0} MB/s");
        }

        await context.StopApiAsync(api);
        var size = UploadSuites.Label(options.ConcurrencyBytes);
        context.Report.Add(BenchRow.Compare(
            "concurrency.throughput",
            "11",
            $"{Uploads} concurrent {size} uploads, POST /api/videos, chain = s3, aggregate (MB/s)",
            "MB/s",
            rates,
            $"the same {Uploads} uploads at once straight to moto (AWS SDK TransferUtility, {PartBytes / Payloads.MiB} MiB parts)",
            direct,
            "≥ ×0.85",
            r => r >= 0.85));
        context.Report.Add(BenchRow.Absolute(
            "concurrency.peak-rss",
            "11",
            $"API peak RSS during {Uploads} concurrent {size} uploads (MiB)",
            "MiB",
            peaks,
            "the same process's RSS just before",
            idles,
            null,
            null));
    }
}
