using Amazon.S3.Transfer;
using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;

namespace Stremora.Bench.Suites;

/// <summary>
/// 1. Upload pass-through: a large video through POST /api/videos versus the same file sent straight to
/// the same storage endpoint, run after run in alternating order (so drift on a shared machine hits both).
/// </summary>
internal static class UploadSuites
{
    private const long S3PartBytes = 16 * Payloads.MiB;

    public static async Task S3Async(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var s3 = await context.S3Async();
        var api = await context.SharedS3ApiAsync(cancellationToken);
        var file = context.Payloads.Get(options.PassThroughBytes);
        var size = Label(options.PassThroughBytes);
        using var transfer = new TransferUtility(s3.Client, new TransferUtilityConfig { ConcurrentServiceRequests = 10 });

        async Task<double> ThroughApi()
        {
            var outcome = await UploadClient.UploadAsync(api.Http, context.Token, file, cancellationToken);
            Expect(outcome, "s3");
            await s3.DeleteAsync(outcome.Locator, cancellationToken);
            return outcome.Elapsed.TotalSeconds;
        }

        async Task<double> Direct()
        {
            var key = $"bench/direct/{Guid.NewGuid():N}";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await transfer.UploadAsync(
                new TransferUtilityUploadRequest { BucketName = s3.Bucket, Key = key, FilePath = file, PartSize = S3PartBytes, ContentType = "video/mp4" },
                cancellationToken);
            clock.Stop();
            await s3.DeleteAsync(key, cancellationToken);
            return clock.Elapsed.TotalSeconds;
        }

        // Warm-up (JIT, connection pools), not measured.
        var small = context.Payloads.Get(16 * Payloads.MiB);
        await Expect(UploadClient.UploadAsync(api.Http, context.Token, small, cancellationToken), "s3", s3);
        await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = s3.Bucket, Key = "bench/warm-up", FilePath = small, PartSize = S3PartBytes }, cancellationToken);
        await s3.DeleteAsync("bench/warm-up", cancellationToken);

        var (viaApi, direct) = await Alternate(options.Runs, ThroughApi, Direct, $"{size} upload, s3");
        context.Report.Add(BenchRow.Compare(
            "upload.s3",
            "1",
            $"{size} upload, POST /api/videos, chain = s3 (s)",
            "s",
            viaApi,
            $"AWS SDK TransferUtility straight to moto ({S3PartBytes / Payloads.MiB} MiB parts, 10 in parallel)",
            direct,
            "≤ ×1.15",
            r => r <= 1.15));
    }

    public static async Task CloudinaryAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var fake = await context.CloudinaryAsync();
        var settings = await context.BaseSettingsAsync("cloudinary");
        foreach (var (key, value) in await context.S3SettingsAsync())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in fake.Settings)
        {
            settings[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        var api = await context.StartApiAsync("cloudinary", settings, cancellationToken);
        var file = context.Payloads.Get(options.PassThroughBytes);
        var size = Label(options.PassThroughBytes);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };

        async Task<double> ThroughApi()
        {
            var outcome = await UploadClient.UploadAsync(api.Http, context.Token, file, cancellationToken);
            Expect(outcome, "cloudinary");
            fake.RemoveAsset(outcome.Locator);
            return outcome.Elapsed.TotalSeconds;
        }

        async Task<double> Direct()
        {
            var publicId = $"bench/direct/{Guid.NewGuid():N}";
            var elapsed = await CloudinaryDirect.UploadAsync(http, fake, file, publicId, cancellationToken);
            fake.RemoveAsset(publicId);
            return elapsed.TotalSeconds;
        }

        var small = context.Payloads.Get(16 * Payloads.MiB);
        var warm = await UploadClient.UploadAsync(api.Http, context.Token, small, cancellationToken);
        Expect(warm, "cloudinary");
        fake.RemoveAsset(warm.Locator);
        await CloudinaryDirect.UploadAsync(http, fake, small, "bench/warm-up", cancellationToken);
        fake.RemoveAsset("bench/warm-up");

        var (viaApi, direct) = await Alternate(options.Runs, ThroughApi, Direct, $"{size} upload, cloudinary");
        await context.StopApiAsync(api);
        context.Report.Add(BenchRow.Compare(
            "upload.cloudinary",
            "1",
            $"{size} upload, POST /api/videos, default chain (cloudinary,s3), healthy fake Cloudinary (s)",
            "s",
            viaApi,
            "signed 20 MB chunk POSTs straight to the fake (as the provider sends them)",
            direct,
            "≤ ×1.15",
            r => r <= 1.15));
    }

    /// <summary>Runs a and b <paramref name="runs"/> times each, alternating which goes first.</summary>
    public static async Task<(List<double> A, List<double> B)> Alternate(int runs, Func<Task<double>> a, Func<Task<double>> b, string label)
    {
        var first = new List<double>();
        var second = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            if (i % 2 == 0)
            {
                first.Add(await a());
                second.Add(await b());
            }
            else
            {
                second.Add(await b());
                first.Add(await a());
            }

            Console.WriteLine($"    {label}, run {i + 1}/{runs}: {first[^1]:0.000} vs {second[^1]:0.000}");
        }

        return (first, second);
    }

    public static string Label(long bytes) =>
        bytes >= 1024 * Payloads.MiB && bytes % (1024 * Payloads.MiB) == 0 ? $"{bytes / (1024 * Payloads.MiB)} GiB" : $"{bytes / Payloads.MiB} MiB";

    public static void Expect(UploadOutcome outcome, string provider)
    {
        if (outcome.Provider != provider)
        {
            throw new InvalidOperationException($"Expected the upload on {provider}, it went to {outcome.Provider} (attempts: {string.Join(", ", outcome.Attempts)}).");
        }
    }

    private static async Task Expect(Task<UploadOutcome> upload, string provider, S3Target s3)
    {
        var outcome = await upload;
        Expect(outcome, provider);
        await s3.DeleteAsync(outcome.Locator, CancellationToken.None);
    }
}
