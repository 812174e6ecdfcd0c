using Amazon.S3.Transfer;
using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;
using Stremora.TestKit.S3;

namespace Stremora.Bench.Suites;

/// <summary>
/// 1. Upload pass-through: a large video through POST /api/videos versus the same file sent straight to
/// the same storage endpoint, run after run in alternating order (so drift on a shared machine hits both).
/// </summary>
internal static class UploadSuites
{
    private const long S3PartBytes = 16 * Payloads.MiB;

    // Warm-up before measuring. The runtime recompiles a method with full optimisation only after it has run 30 times,
    // so code run once per upload (the endpoint, validation, the event append, a multipart upload's start and end) needs
    // 30 uploads to get there: after three 64 MiB rounds, a tenth of the API's CPU in the measured runs was still the
    // JIT's background thread (perf). Files of two S3 parts and two Cloudinary chunks take every per-upload path; one
    // round of the measured size ends the warm-up.
    public const int WarmUpRounds = 32;
    public const long WarmUpBytes = 24 * Payloads.MiB;

    /// <summary>The files each side sends before anything is measured: WarmUpRounds small uploads, then one of the measured size.</summary>
    public static IReadOnlyList<string> WarmUpFiles(BenchContext context) =>
        [.. Enumerable.Repeat(context.Payloads.Get(WarmUpBytes), WarmUpRounds), context.Payloads.Get(context.Options.PassThroughBytes)];

    public static async Task S3Async(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var s3 = await context.S3Async();
        var api = await context.SharedS3ApiAsync(cancellationToken);

        // The same chain with S3 parts sent one at a time: shows what the provider's parallel parts buy here.
        var oneAtATimeSettings = await context.S3ChainSettingsAsync("s3-one-part-at-a-time");
        oneAtATimeSettings["Storage__S3__ConcurrentParts"] = "1";
        var oneAtATime = await context.StartApiAsync("s3-one-part-at-a-time", oneAtATimeSettings, cancellationToken);

        // The same chain with S3 reached over HTTPS, as AWS is: moto behind a TLS proxy in this process. Over TLS the
        // API sends parts UNSIGNED-PAYLOAD, so its CPU per GiB shows what SigV4's hash of every byte costs over http.
        await using var tls = new TlsTerminatingProxy(new Uri(s3.Server.Endpoint));
        var overHttpsSettings = await context.S3ChainSettingsAsync("s3-https");
        overHttpsSettings["AWS_ENDPOINT_URL_S3"] = tls.Endpoint.ToString().TrimEnd('/');
        overHttpsSettings["SSL_CERT_FILE"] = tls.CertificateFile;
        var overHttps = await context.StartApiAsync("s3-https", overHttpsSettings, cancellationToken);

        var file = context.Payloads.Get(options.PassThroughBytes);
        var size = Label(options.PassThroughBytes);
        using var transfer = new TransferUtility(s3.Client, new TransferUtilityConfig { ConcurrentServiceRequests = 10 });
        var moto = s3.ProcessId;

        async Task<(double Seconds, double Cpu, double ApiCpu)> ThroughApi(ApiProcess target)
        {
            var (b0, a0, m0) = (Self(), CpuTime.Seconds(target.Pid), moto is { } p0 ? CpuTime.Seconds(p0) : 0);
            var outcome = await UploadClient.UploadAsync(target.Http, context.Token, file, cancellationToken);
            var (b, a, m) = (Self() - b0, CpuTime.Seconds(target.Pid) - a0, (moto is { } p1 ? CpuTime.Seconds(p1) : 0) - m0);
            Expect(outcome, "s3");
            await s3.DeleteAsync(outcome.Locator, cancellationToken);
            Console.WriteLine($"      {target.Name}: body sent after {outcome.BodySent.TotalSeconds:0.00} s, answer after {outcome.Elapsed.TotalSeconds:0.00} s; CPU bench {b:0.00} s, API {a:0.00} s, moto {m:0.00} s");
            return (outcome.Elapsed.TotalSeconds, b + a + m, a);
        }

        async Task<(double Seconds, double Cpu)> Direct()
        {
            var key = $"bench/direct/{Guid.NewGuid():N}";
            var (b0, m0) = (Self(), moto is { } p0 ? CpuTime.Seconds(p0) : 0);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await transfer.UploadAsync(
                new TransferUtilityUploadRequest { BucketName = s3.Bucket, Key = key, FilePath = file, PartSize = S3PartBytes, ContentType = "video/mp4" },
                cancellationToken);
            clock.Stop();
            var (b, m) = (Self() - b0, (moto is { } p1 ? CpuTime.Seconds(p1) : 0) - m0);
            await s3.DeleteAsync(key, cancellationToken);
            Console.WriteLine($"      direct: {clock.Elapsed.TotalSeconds:0.00} s; CPU bench {b:0.00} s, moto {m:0.00} s");
            return (clock.Elapsed.TotalSeconds, b + m);
        }

        // Warm-up (JIT tiers, connection pools), not measured.
        foreach (var warmUp in WarmUpFiles(context))
        {
            await Expect(UploadClient.UploadAsync(api.Http, context.Token, warmUp, cancellationToken), "s3", s3);
            await Expect(UploadClient.UploadAsync(oneAtATime.Http, context.Token, warmUp, cancellationToken), "s3", s3);
            await Expect(UploadClient.UploadAsync(overHttps.Http, context.Token, warmUp, cancellationToken), "s3", s3);
            await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = s3.Bucket, Key = "bench/warm-up", FilePath = warmUp, PartSize = S3PartBytes }, cancellationToken);
            await s3.DeleteAsync("bench/warm-up", cancellationToken);
        }

        var viaApi = new List<(double Seconds, double Cpu, double ApiCpu)>();
        var viaOne = new List<(double Seconds, double Cpu, double ApiCpu)>();
        var direct = new List<(double Seconds, double Cpu)>();
        var viaHttps = new List<(double Seconds, double Cpu, double ApiCpu)>();
        await RotateAsync(
            options.Runs,
            [
                async () => viaApi.Add(await ThroughApi(api)),
                async () => viaOne.Add(await ThroughApi(oneAtATime)),
                async () => direct.Add(await Direct()),
                async () => viaHttps.Add(await ThroughApi(overHttps)),
            ],
            run => Console.WriteLine($"    {size} upload, s3, run {run + 1}/{options.Runs}: {viaApi[^1].Seconds:0.000} s (one part at a time {viaOne[^1].Seconds:0.000} s, over https {viaHttps[^1].Seconds:0.000} s) vs direct {direct[^1].Seconds:0.000} s"));

        await context.StopApiAsync(oneAtATime);
        await context.StopApiAsync(overHttps);
        var baseline = $"AWS SDK TransferUtility straight to moto ({S3PartBytes / Payloads.MiB} MiB parts, 10 in parallel)";
        context.Report.Add(BenchRow.Compare(
            "upload.s3",
            "1",
            $"{size} upload, POST /api/videos, chain = s3 (s)",
            "s",
            [.. viaApi.Select(r => r.Seconds)],
            baseline,
            [.. direct.Select(r => r.Seconds)],
            "≤ ×1.15",
            r => r <= 1.15));
        context.Report.Add(BenchRow.Compare(
            "upload.s3.one-part-at-a-time",
            "1",
            $"same, with Storage:S3:ConcurrentParts=1 (diagnostic) (s)",
            "s",
            [.. viaOne.Select(r => r.Seconds)],
            baseline,
            [.. direct.Select(r => r.Seconds)],
            null,
            null));
        context.Report.Add(BenchRow.Compare(
            "upload.s3.cpu",
            "1",
            $"CPU seconds per {size} upload through the API: bench client + API + moto (s)",
            "s",
            [.. viaApi.Select(r => r.Cpu)],
            "CPU seconds of the direct upload: bench (SDK) + moto",
            [.. direct.Select(r => r.Cpu)],
            null,
            null));
        context.Report.Add(ApiCpuPerGiB("upload.s3.api-cpu", "through the S3 chain", [.. viaApi.Select(r => r.ApiCpu)], options.PassThroughBytes));
        context.Report.Add(ApiCpuPerGiB("upload.s3-https.api-cpu", "through the S3 chain over HTTPS (moto behind a TLS proxy: parts sent UNSIGNED-PAYLOAD, as to AWS)", [.. viaHttps.Select(r => r.ApiCpu)], options.PassThroughBytes));
    }

    /// <summary>What receiving, hashing, spooling and sending a GiB costs the API process itself (user + system CPU).</summary>
    public static BenchRow ApiCpuPerGiB(string id, string route, IReadOnlyList<double> apiCpuSeconds, long bytes) =>
        BenchRow.Absolute(
            id,
            "1",
            $"API process CPU per GiB uploaded {route} (/proc/PID/stat before and after each upload) (CPU-s/GiB)",
            "CPU-s/GiB",
            [.. apiCpuSeconds.Select(c => c * (1024 * Payloads.MiB) / bytes)],
            null,
            null,
            "≤ 1.5 CPU-s/GiB",
            c => c <= 1.5);

    private static double Self() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>Runs each of the three <paramref name="runs"/> times, rotating which goes first so that drift on a shared machine does not always favour the same one.</summary>
    public static Task RotateAsync(int runs, Func<Task> first, Func<Task> second, Func<Task> third, Action<int> afterRun) =>
        RotateAsync(runs, [first, second, third], afterRun);

    /// <summary>Runs each of <paramref name="all"/> <paramref name="runs"/> times, rotating which goes first.</summary>
    public static async Task RotateAsync(int runs, IReadOnlyList<Func<Task>> all, Action<int> afterRun)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(afterRun);
        for (var run = 0; run < runs; run++)
        {
            for (var k = 0; k < all.Count; k++)
            {
                await all[(run + k) % all.Count]();
            }

            afterRun(run);
        }
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
