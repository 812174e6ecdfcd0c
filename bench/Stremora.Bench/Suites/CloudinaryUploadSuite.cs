using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;

namespace Stremora.Bench.Suites;

/// <summary>
/// 1. Upload pass-through, Cloudinary: a large video through POST /api/videos on the default chain (healthy fake
/// Cloudinary) versus the same file sent straight to the fake the way Cloudinary's SDKs send it, run after run in
/// rotating order; and the same chain sending three chunks at a time (Storage:Cloudinary:ConcurrentChunks=3; the default is one).
/// </summary>
internal static class CloudinaryUploadSuite
{
    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var fake = await context.CloudinaryAsync();
        var api = await context.StartApiAsync("cloudinary", await context.CloudinaryChainSettingsAsync("cloudinary"), cancellationToken);
        var sideBySideSettings = await context.CloudinaryChainSettingsAsync("cloudinary-three-chunks-at-a-time");
        sideBySideSettings["Storage__Cloudinary__ConcurrentChunks"] = "3";
        var sideBySide = await context.StartApiAsync("cloudinary-three-chunks-at-a-time", sideBySideSettings, cancellationToken);
        var file = context.Payloads.Get(options.PassThroughBytes);
        var size = UploadSuites.Label(options.PassThroughBytes);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };

        async Task<(double Seconds, double ApiCpu)> ThroughApi(ApiProcess target)
        {
            var cpu = CpuTime.Seconds(target.Pid);
            var outcome = await UploadClient.UploadAsync(target.Http, context.Token, file, cancellationToken);
            cpu = CpuTime.Seconds(target.Pid) - cpu;
            UploadSuites.Expect(outcome, "cloudinary");
            fake.RemoveAsset(outcome.Locator);
            Console.WriteLine($"      {target.Name}: body sent after {outcome.BodySent.TotalSeconds:0.000} s, answer after {outcome.Elapsed.TotalSeconds:0.000} s; API CPU {cpu:0.00} s");
            return (outcome.Elapsed.TotalSeconds, cpu);
        }

        async Task<double> Direct()
        {
            var publicId = $"bench/direct/{Guid.NewGuid():N}";
            var elapsed = await CloudinaryDirect.UploadAsync(http, fake, file, publicId, cancellationToken);
            fake.RemoveAsset(publicId);
            Console.WriteLine($"      direct: {elapsed.TotalSeconds:0.000} s");
            return elapsed.TotalSeconds;
        }

        // Warm-up (JIT tiers, connection pools), not measured.
        foreach (var warmUp in UploadSuites.WarmUpFiles(context))
        {
            foreach (var target in new[] { api, sideBySide })
            {
                var warm = await UploadClient.UploadAsync(target.Http, context.Token, warmUp, cancellationToken);
                UploadSuites.Expect(warm, "cloudinary");
                fake.RemoveAsset(warm.Locator);
            }

            await CloudinaryDirect.UploadAsync(http, fake, warmUp, "bench/warm-up", cancellationToken);
            fake.RemoveAsset("bench/warm-up");
        }

        var viaApi = new List<(double Seconds, double ApiCpu)>();
        var viaThree = new List<(double Seconds, double ApiCpu)>();
        var direct = new List<double>();
        await UploadSuites.RotateAsync(
            options.Runs,
            async () => viaApi.Add(await ThroughApi(api)),
            async () => viaThree.Add(await ThroughApi(sideBySide)),
            async () => direct.Add(await Direct()),
            run => Console.WriteLine($"    {size} upload, cloudinary, run {run + 1}/{options.Runs}: {viaApi[^1].Seconds:0.000} s (three chunks at a time {viaThree[^1].Seconds:0.000} s) vs direct {direct[^1]:0.000} s"));

        await context.StopApiAsync(api);
        await context.StopApiAsync(sideBySide);
        const string Baseline = "signed 20 MB chunk POSTs straight to the fake, one after the other (as Cloudinary's SDKs send them)";
        context.Report.Add(BenchRow.Compare(
            "upload.cloudinary",
            "1",
            $"{size} upload, POST /api/videos, default chain (cloudinary,s3), healthy fake Cloudinary (s)",
            "s",
            [.. viaApi.Select(r => r.Seconds)],
            Baseline,
            direct,
            "≤ ×1.15",
            r => r <= 1.15));
        context.Report.Add(BenchRow.Compare(
            "upload.cloudinary.three-chunks-at-a-time",
            "1",
            "same, with Storage:Cloudinary:ConcurrentChunks=3 (diagnostic) (s)",
            "s",
            [.. viaThree.Select(r => r.Seconds)],
            Baseline,
            direct,
            null,
            null));
        context.Report.Add(UploadSuites.ApiCpuPerGiB("upload.cloudinary.api-cpu", "through the Cloudinary chain", [.. viaApi.Select(r => r.ApiCpu)], options.PassThroughBytes));
    }
}
