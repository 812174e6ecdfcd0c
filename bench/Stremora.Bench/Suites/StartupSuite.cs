using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;

namespace Stremora.Bench.Suites;

/// <summary>
/// 5. Start-up: from process start to the first 200 from /health/ready, PostgreSQL already up and the schema
/// already created (a restart), versus the same measure for a bare ASP.NET Core app started the same way.
/// </summary>
internal static class StartupSuite
{
    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var settings = await context.BaseSettingsAsync("startup");
        foreach (var (key, value) in await context.S3SettingsAsync())
        {
            settings[key] = value;
        }

        settings["Storage__Order"] = "s3";

        // The first start creates the schemas (Marten, Hangfire): not what a restart pays.
        await context.StopApiAsync(await context.StartApiAsync("startup", settings, cancellationToken));

        var benchDll = typeof(StartupSuite).Assembly.Location;
        var api = new List<double>();
        var bare = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            var product = await context.StartApiAsync("startup", settings, cancellationToken);
            api.Add(product.ReadyAfter.TotalSeconds);
            await context.StopApiAsync(product);

            var baseline = await ApiProcess.StartAsync(
                new ApiProcessOptions { Name = "startup-baseline", Dll = benchDll, Arguments = [BaselineServer.Argument], LogDirectory = options.LogDirectory },
                cancellationToken);
            bare.Add(baseline.ReadyAfter.TotalSeconds);
            await baseline.DisposeAsync();
            Console.WriteLine($"    start-up run {run + 1}/{options.Runs}: {api[^1]:0.000} s vs bare app {bare[^1]:0.000} s");
        }

        context.Report.Add(BenchRow.Absolute(
            "startup.ready",
            "5",
            "API process start → /health/ready 200, PostgreSQL up (s)",
            "s",
            api,
            "bare ASP.NET Core app (one /health/ready endpoint), same launch",
            bare,
            "≤ 5 s",
            m => m <= 5));
    }
}
