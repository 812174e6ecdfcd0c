using System.Net;
using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;

namespace Stremora.Bench.Suites;

/// <summary>
/// 6. The cost of observability: GET /api/videos/{id} under wrk against two API processes, one as shipped
/// (metrics and tracing on, every request traced; no exporter and no scraper, so it is the instrumentation's
/// own cost) and one with <c>OTEL_SDK_DISABLED=true</c>; alternating runs.
/// </summary>
internal static class ObservabilitySuite
{
    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var on = await StartAsync(context, "telemetry-on", disabled: false, cancellationToken);
        var off = await StartAsync(context, "telemetry-off", disabled: true, cancellationToken);
        var onUrl = await ReadUrlAsync(context, on, cancellationToken);
        var offUrl = await ReadUrlAsync(context, off, cancellationToken);

        await ReadsSuite.WrkAsync(onUrl, options.ReadConnections, 3, cancellationToken);
        await ReadsSuite.WrkAsync(offUrl, options.ReadConnections, 3, cancellationToken);
        var onRps = new List<double>();
        var offRps = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            foreach (var url in run % 2 == 0 ? new[] { onUrl, offUrl } : [offUrl, onUrl])
            {
                var (rps, _) = await ReadsSuite.WrkAsync(url, options.ReadConnections, options.ReadSeconds, cancellationToken);
                (url == onUrl ? onRps : offRps).Add(rps);
            }

            Console.WriteLine($"    observability run {run + 1}/{options.Runs}: {onRps[^1]:0} req/s with metrics and tracing vs {offRps[^1]:0} req/s without");
        }

        await context.StopApiAsync(on);
        await context.StopApiAsync(off);
        context.Report.Add(BenchRow.Compare(
            "reads.observability",
            "6",
            $"GET /api/videos/{{id}} with metrics and tracing on, {options.ReadConnections} connections, wrk {options.ReadSeconds} s (req/s)",
            "req/s",
            onRps,
            "the same API with OTEL_SDK_DISABLED=true",
            offRps,
            "≥ ×0.95",
            r => r >= 0.95));
    }

    private static async Task<ApiProcess> StartAsync(BenchContext context, string name, bool disabled, CancellationToken cancellationToken)
    {
        var settings = await context.BaseSettingsAsync(name);
        foreach (var (key, value) in await context.S3SettingsAsync())
        {
            settings[key] = value;
        }

        settings["Storage__Order"] = "s3";
        if (disabled)
        {
            settings["OTEL_SDK_DISABLED"] = "true";
        }

        return await context.StartApiAsync(name, settings, cancellationToken);
    }

    private static async Task<Uri> ReadUrlAsync(BenchContext context, ApiProcess api, CancellationToken cancellationToken)
    {
        var video = await UploadClient.UploadAsync(api.Http, context.Token, context.Payloads.Get(Payloads.MiB), cancellationToken);
        var url = new Uri(api.BaseAddress, $"api/videos/{video.Id}");
        using var response = await api.Http.GetAsync(url, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: the benchmark needs 200.");
        }

        return url;
    }
}
