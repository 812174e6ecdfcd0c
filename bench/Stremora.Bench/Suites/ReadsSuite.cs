using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;

namespace Stremora.Bench.Suites;

/// <summary>
/// 4. Reads: GET /api/videos/{id} under load from wrk (a separate process) versus a bare minimal-API endpoint
/// in the same process reading the same row with Npgsql; alternating runs.
/// </summary>
internal static partial class ReadsSuite
{
    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var s3 = await context.S3Async();
        var (host, baseAddress) = await ReadsHost.StartAsync(context);
        await using var _ = host;
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var video = await UploadClient.UploadAsync(http, Stremora.TestKit.Host.TestTokens.For("bench-reader"), context.Payloads.Get(Payloads.MiB), cancellationToken);
        var apiUrl = new Uri(baseAddress, $"api/videos/{video.Id}");
        var baselineUrl = ReadsHost.BaselineUrl(baseAddress, video.Id);
        await ReadsHost.EnsureOkAsync(http, [apiUrl, baselineUrl], cancellationToken);

        // Warm-up: JIT tiers and connection pools, for both endpoints.
        await WrkAsync(apiUrl, options.ReadConnections, 3, cancellationToken);
        await WrkAsync(baselineUrl, options.ReadConnections, 3, cancellationToken);

        var apiRps = new List<double>();
        var apiP99 = new List<double>();
        var baseRps = new List<double>();
        var baseP99 = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            foreach (var url in run % 2 == 0 ? new[] { apiUrl, baselineUrl } : [baselineUrl, apiUrl])
            {
                var (rps, p99) = await WrkAsync(url, options.ReadConnections, options.ReadSeconds, cancellationToken);
                (url == apiUrl ? apiRps : baseRps).Add(rps);
                (url == apiUrl ? apiP99 : baseP99).Add(p99);
            }

            Console.WriteLine($"    reads run {run + 1}/{options.Runs}: {apiRps[^1]:0} req/s (p99 {apiP99[^1]:0.00} ms) vs baseline {baseRps[^1]:0} req/s (p99 {baseP99[^1]:0.00} ms)");
        }

        // The same endpoints at a few connections. On 2 shared cores, wrk, the API and PostgreSQL's backends queue behind
        // each other at 32 connections; the p99 at low concurrency shows the service's own tail.
        var lowApiP99 = new List<double>();
        var lowBaseP99 = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            foreach (var url in run % 2 == 0 ? new[] { apiUrl, baselineUrl } : [baselineUrl, apiUrl])
            {
                var (_, p99) = await WrkAsync(url, options.LowReadConnections, options.ReadSeconds, cancellationToken);
                (url == apiUrl ? lowApiP99 : lowBaseP99).Add(p99);
            }

            Console.WriteLine($"    reads at {options.LowReadConnections} connections, run {run + 1}/{options.Runs}: p99 {lowApiP99[^1]:0.00} ms vs baseline {lowBaseP99[^1]:0.00} ms");
        }

        await s3.DeleteAsync(video.Locator, cancellationToken);
        context.Report.Add(BenchRow.Compare(
            "reads.throughput",
            "4",
            $"GET /api/videos/{{id}}, {options.ReadConnections} connections, wrk {options.ReadSeconds} s (req/s)",
            "req/s",
            apiRps,
            "bare minimal API + Npgsql, same row, same process",
            baseRps,
            "≥ ×0.70",
            r => r >= 0.7));
        // At 32 connections on two shared cores the tail is queueing (the bare endpoint's own p99 reached 365 ms): judged
        // against the bare endpoint of the same run. At 4 connections there is little queueing: the absolute target applies.
        context.Report.Add(BenchRow.Compare(
            "reads.p99",
            "4",
            $"GET /api/videos/{{id}} p99 latency at {options.ReadConnections} connections (ms)",
            "ms",
            apiP99,
            "p99 of the bare endpoint",
            baseP99,
            "≤ ×1.0",
            r => r <= 1.0));
        context.Report.Add(BenchRow.Absolute(
            "reads.p99.low-concurrency",
            "4",
            $"same p99 at {options.LowReadConnections} connections (ms)",
            "ms",
            lowApiP99,
            "p99 of the bare endpoint",
            lowBaseP99,
            "≤ 10 ms",
            m => m <= 10));
    }

    /// <param name="timeoutSeconds">wrk's per-request timeout (its default, 2 s, counts slower answers as errors).</param>
    internal static async Task<WrkResult> WrkAsync(Uri url, int connections, int seconds, CancellationToken cancellationToken, int timeoutSeconds = 2)
    {
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", $"--timeout={timeoutSeconds}s", "--latency", url.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (apt-get install wrk).");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {await errors}{text}");
        }

        if (NonSuccess().IsMatch(text) || SocketErrors().IsMatch(text))
        {
            throw new InvalidOperationException($"wrk saw failed requests against {url}:\n{text}");
        }

        var rps = double.Parse(RequestsPerSecond().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rps, Milliseconds(P50().Match(text)), Milliseconds(P99().Match(text)));
    }

    private static double Milliseconds(Match latency)
    {
        var value = double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture);
        return latency.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            var unit => throw new InvalidOperationException($"wrk latency unit '{unit}'?"),
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+50%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline)]
    private static partial Regex P50();

    [GeneratedRegex(@"^\s+99%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline)]
    private static partial Regex P99();

    [GeneratedRegex(@"Non-2xx or 3xx responses")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors:")]
    private static partial Regex SocketErrors();
}

/// <summary>One wrk run: throughput and the median and 99th-percentile latency (ms).</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms)
{
    public void Deconstruct(out double requestsPerSecond, out double p99Ms) => (requestsPerSecond, p99Ms) = (RequestsPerSecond, P99Ms);
}
