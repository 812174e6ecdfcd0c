using System.Diagnostics;
using System.Globalization;
using Stremora.Bench.Infrastructure;
using Stremora.Bench.Suites;

namespace Stremora.Bench;

/// <summary>./stremora bench: measures the API against baselines taken in the same run and reports medians, spreads and ratios.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [BaselineServer.Argument])
        {
            await BaselineServer.RunAsync();
            return 0;
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("bench: " + e.Message);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        var clock = Stopwatch.StartNew();
        var failed = 0;
        await using (var context = new BenchContext(options))
        {
            Describe(context);
            var suites = new (string Name, string Title, Func<BenchContext, CancellationToken, Task> Run)[]
            {
                ("upload", "1. upload pass-through, S3", UploadSuites.S3Async),
                ("cloudinary", "1. upload pass-through, Cloudinary", CloudinaryUploadSuite.RunAsync),
                ("memory", "2. memory", MemorySuite.RunAsync),
                ("failover", "3. failover cost", FailoverSuite.RunAsync),
                ("reads", "4. reads", ReadsSuite.RunAsync),
                ("startup", "5. start-up", StartupSuite.RunAsync),
                ("observability", "6. reads with metrics and tracing on vs. off", ObservabilitySuite.RunAsync),
                ("catalogue", "7. search and list over many videos", CatalogueSuite.RunAsync),
                ("backfill", "8. media back-fill rate", MediaBackfillSuite.RunAsync),
                ("media", "9. media analysis + poster frame on vs. off", MediaCostSuite.RunAsync),
                ("tus", "10. resumable uploads (tus)", TusSuite.RunAsync),
                ("concurrency", "11. concurrent uploads", ConcurrencySuite.RunAsync),
            };
            foreach (var (name, title, run) in suites.Where(s => options.Includes(s.Name)))
            {
                Console.WriteLine($"== {title} ({clock.Elapsed:mm\\:ss})");
                try
                {
                    await run(context, stop.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    failed++;
                    context.Report.Notes.Add($"{name}: failed: {e.GetType().Name}: {e.Message}");
                    await Console.Error.WriteLineAsync($"bench: {title} failed: {e}");
                }
            }

            context.Report.Machine["loadAverageAtEnd"] = LoadAverage();
            context.Report.Machine["benchMinutes"] = clock.Elapsed.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture);
            var table = context.Report.ToMarkdown();
            Console.WriteLine();
            Console.WriteLine(table);
            foreach (var note in context.Report.Notes)
            {
                Console.WriteLine("note: " + note);
            }

            var json = Path.Combine(options.ResultsDirectory, "latest.json");
            await context.Report.WriteJsonAsync(json, CancellationToken.None);
            await File.WriteAllTextAsync(Path.Combine(options.ResultsDirectory, "latest.md"), table, CancellationToken.None);

            // Kept beside latest.*: a partial re-run (--only) must not lose the previous full run.
            var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            File.Copy(json, Path.Combine(options.ResultsDirectory, $"run-{stamp}.json"));
            await File.WriteAllTextAsync(Path.Combine(options.ResultsDirectory, $"run-{stamp}.md"), table, CancellationToken.None);
            Console.WriteLine($"results: {Path.GetRelativePath(options.Root, json)} (and latest.md), in {clock.Elapsed.TotalMinutes:0.0} min");
        }

        return failed == 0 ? 0 : 1;
    }

    private static void Describe(BenchContext context)
    {
        var machine = context.Report.Machine;
        machine["processors"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        machine["memoryMiB"] = (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture);
        machine["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription;
        machine["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
        machine["loadAverageAtStart"] = LoadAverage();
        machine["mode"] = context.Options.Quick ? "quick" : "full";
        machine["commit"] = Commit(context.Options.Root);
        Console.WriteLine($"bench: {machine["mode"]} run, {machine["processors"]} processors, load {machine["loadAverageAtStart"]}, commit {machine["commit"]}");
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string Commit(string root)
    {
        try
        {
            var start = new ProcessStartInfo("git", ["-C", root, "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true, UseShellExecute = false };
            using var git = Process.Start(start);
            var head = git?.StandardOutput.ReadToEnd().Trim();
            git?.WaitForExit();
            return string.IsNullOrEmpty(head) ? "unknown" : head;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
