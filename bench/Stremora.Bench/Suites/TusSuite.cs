using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;
using Stremora.TestKit.Tus;

namespace Stremora.Bench.Suites;

/// <summary>
/// 10. Resumable uploads: the same large video through tus (the real tus-js-client, 8 MiB PATCHes) and through the
/// multipart <c>POST /api/videos</c> on one instance (chain <c>s3</c>), and straight to the same moto with the AWS SDK,
/// rotating the order run by run; then the API's peak memory while it takes several tus uploads at once.
/// </summary>
internal static class TusSuite
{
    private const long ChunkBytes = 8 * Payloads.MiB;
    private const long DirectPartBytes = 16 * Payloads.MiB;
    private const int WarmUpRounds = 2;
    private const long WarmUpBytes = 64 * Payloads.MiB;
    private const double PacedShareOfProviderRate = 0.5;

    /// <summary>One tus upload, timed on the bench's clock from the client's lines as they arrive.</summary>
    private sealed record TusTiming(double Total, double AfterLastChunk, Guid Id, string Locator);

    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var s3 = await context.S3Async();
        var api = await context.SharedS3ApiAsync(cancellationToken);
        var file = context.Payloads.Get(options.PassThroughBytes);
        var size = UploadSuites.Label(options.PassThroughBytes);

        var small = context.Payloads.Get(WarmUpBytes);
        for (var round = 0; round < WarmUpRounds; round++)
        {
            await s3.DeleteAsync((await TusAsync(context, api, small, cancellationToken)).Locator, cancellationToken);
            var warm = await UploadClient.UploadAsync(api.Http, context.Token, small, cancellationToken);
            await s3.DeleteAsync(warm.Locator, cancellationToken);
            await s3.UploadDirectAsync(small, DirectPartBytes, cancellationToken);
        }

        var tus = new List<TusTiming>();
        var multipart = new List<double>();
        var direct = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            for (var k = 0; k < 3; k++)
            {
                switch ((run + k) % 3)
                {
                    case 0:
                        var timing = await TusAsync(context, api, file, cancellationToken);
                        await s3.DeleteAsync(timing.Locator, cancellationToken);
                        tus.Add(timing);
                        break;
                    case 1:
                        var outcome = await UploadClient.UploadAsync(api.Http, context.Token, file, cancellationToken);
                        UploadSuites.Expect(outcome, "s3");
                        await s3.DeleteAsync(outcome.Locator, cancellationToken);
                        multipart.Add(outcome.Elapsed.TotalSeconds);
                        break;
                    default:
                        direct.Add((await s3.UploadDirectAsync(file, DirectPartBytes, cancellationToken)).TotalSeconds);
                        break;
                }
            }

            Console.WriteLine($"    {size}, run {run + 1}/{options.Runs}: tus {tus[^1].Total:0.000} s (last PATCH sent → ready {tus[^1].AfterLastChunk:0.000} s), multipart {multipart[^1]:0.000} s, straight to moto {direct[^1]:0.000} s");
        }

        context.Report.Add(BenchRow.Compare(
            "tus.upload",
            "10",
            $"{size} through tus (tus-js-client, {ChunkBytes / Payloads.MiB} MiB PATCHes), creation → ready, chain = s3 (s)",
            "s",
            [.. tus.Select(t => t.Total)],
            "the multipart POST /api/videos of the same file on the same instance",
            multipart,
            "≤ ×1.15",
            r => r <= 1.15));
        // On loopback the client sends faster than moto stores (the direct upload above is moto's own pace), so the
        // unpaced time after the last chunk is moto's backlog, whatever the service does. Whether storage keeps pace
        // with an upload is asked of a client sending at half the rate moto took the direct uploads in this run: at
        // 90 % the API's receive, on the same two cores, still slowed moto below the client.
        var providerRate = options.PassThroughBytes / Summary.Of(direct).Median;
        var pacedRate = (long)(providerRate * PacedShareOfProviderRate);
        var paced = new List<TusTiming>();
        for (var run = 0; run < options.Runs; run++)
        {
            var timing = await TusAsync(context, api, file, cancellationToken, pacedRate);
            await s3.DeleteAsync(timing.Locator, cancellationToken);
            paced.Add(timing);
            Console.WriteLine($"    {size}, paced at {pacedRate / (double)Payloads.MiB:0.0} MiB/s, run {run + 1}/{options.Runs}: tus {timing.Total:0.000} s (last PATCH sent → ready {timing.AfterLastChunk:0.000} s)");
        }

        var directBaseline = $"the same file straight to moto (AWS SDK TransferUtility, {DirectPartBytes / Payloads.MiB} MiB parts, 10 in parallel)";
        context.Report.Add(BenchRow.Compare(
            "tus.after-last-chunk",
            "10",
            $"{size} through tus, the client paced at half moto's rate in this run: the final PATCH sent → the video ready (its 204 waits for storage) (s)",
            "s",
            [.. paced.Select(t => t.AfterLastChunk)],
            directBaseline,
            direct,
            "≤ ×0.25",
            r => r <= 0.25,
            "the service forwards a tus upload to the provider while its chunks arrive, so this is the last chunk's part plus the provider's completion"));
        // Part of the time after the last chunk is the provider's alone: joining the parts once it has them all.
        var completion = new List<double>();
        for (var run = 0; run < Math.Min(3, options.Runs); run++)
        {
            completion.Add((await s3.CompletionTimeAsync(file, DirectPartBytes, cancellationToken)).TotalSeconds);
            Console.WriteLine($"    moto completing a {size} multipart upload ({DirectPartBytes / Payloads.MiB} MiB parts), run {run + 1}: {completion[^1]:0.000} s");
        }

        context.Report.Add(BenchRow.Compare(
            "tus.provider-completion",
            "10",
            $"moto's own CompleteMultipartUpload of the same file ({DirectPartBytes / Payloads.MiB} MiB parts, timed alone): part of every upload's time after its last byte (diagnostic) (s)",
            "s",
            completion,
            directBaseline,
            direct,
            null,
            null));
        context.Report.Add(BenchRow.Compare(
            "tus.after-last-chunk.unpaced",
            "10",
            $"same, the client unpaced (loopback, faster than moto takes the bytes: the time after the last chunk is moto's backlog) (diagnostic) (s)",
            "s",
            [.. tus.Select(t => t.AfterLastChunk)],
            directBaseline,
            direct,
            null,
            null));

        await ConcurrentMemoryAsync(context, api, cancellationToken);
    }

    private static async Task ConcurrentMemoryAsync(BenchContext context, ApiProcess api, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var s3 = await context.S3Async();
        var file = context.Payloads.Get(options.ConcurrentBytes);
        var idles = new List<double>();
        var peaks = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            var idle = PeakRss.CurrentMiB(api.Pid);
            double peak;
            TusTiming[] uploads;
            await using (var sampler = PeakRss.Start(api.Pid))
            {
                uploads = await Task.WhenAll(Enumerable.Range(0, options.ConcurrentUploads).Select(_ => TusAsync(context, api, file, cancellationToken)));
                peak = await sampler.StopAsync();
            }

            foreach (var upload in uploads)
            {
                await s3.DeleteAsync(upload.Locator, cancellationToken);
            }

            idles.Add(idle);
            peaks.Add(peak);
            Console.WriteLine($"    tus memory run {run + 1}/{options.Runs}: {options.ConcurrentUploads} concurrent uploads, peak {peak:0.0} MiB (idle before {idle:0.0})");
        }

        context.Report.Add(BenchRow.Absolute(
            "tus.memory.concurrent",
            "10",
            $"API peak RSS during {options.ConcurrentUploads} concurrent {UploadSuites.Label(options.ConcurrentBytes)} tus uploads ({ChunkBytes / Payloads.MiB} MiB PATCHes) (MiB)",
            "MiB",
            peaks,
            "the same process's RSS just before",
            idles,
            "≤ 300 MiB",
            m => m <= 300));
    }

    /// <summary>
    /// One upload with the real tus-js-client, until <c>GET /api/videos/{id}</c> shows it ready on S3. Timed from the
    /// client's first request (node's start and its read of the file are not the service's) and from its last PATCH.
    /// </summary>
    private static async Task<TusTiming> TusAsync(BenchContext context, ApiProcess api, string file, CancellationToken cancellationToken, long? bytesPerSecond = null)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? firstRequest = null;
        var lastPatch = TimeSpan.Zero;
        var lastAcknowledged = TimeSpan.Zero;
        var run = await TusJsClient.UploadAsync(
            new Uri(api.BaseAddress, "/api/uploads"),
            context.Token,
            file,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["title"] = "bench tus upload", ["filename"] = Path.GetFileName(file), ["filetype"] = "video/mp4" },
            chunkSize: ChunkBytes,
            onEvent: e =>
            {
                var now = clock.Elapsed;
                switch (e.GetProperty("event").GetString())
                {
                    case "request":
                        firstRequest ??= now;
                        if (e.GetProperty("method").GetString() == "PATCH")
                        {
                            lastPatch = now;
                        }

                        break;
                    case "acknowledged":
                        lastAcknowledged = now;
                        break;
                }
            },
            bytesPerSecond: bytesPerSecond,
            cancellationToken: cancellationToken);
        if (!run.Succeeded || run.Url is not { } url)
        {
            var text = run.ToString();
            throw new InvalidOperationException($"The tus upload did not succeed: {text[..Math.Min(text.Length, 800)]}");
        }

        var id = Guid.Parse(new Uri(url).Segments[^1]);
        var (ready, locator) = await UntilReadyAsync(context, api, id, clock, cancellationToken);

        // The final PATCH is answered once the file is stored: when the first look already finds it ready, its 204 is when.
        var readyAt = ready ?? lastAcknowledged;
        return new TusTiming((readyAt - firstRequest!.Value).TotalSeconds, (readyAt - lastPatch).TotalSeconds, id, locator);
    }

    /// <returns>When it was seen ready (null when the first look found it so), and its S3 key.</returns>
    private static async Task<(TimeSpan? ReadyAt, string Locator)> UntilReadyAsync(BenchContext context, ApiProcess api, Guid id, Stopwatch clock, CancellationToken cancellationToken)
    {
        var deadline = clock.Elapsed + TimeSpan.FromMinutes(10);
        for (var look = 0; ; look++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/videos/{id}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.Token);
            using var response = await api.Http.SendAsync(request, cancellationToken);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var video = json.RootElement;
            if (video.TryGetProperty("status", out var status) && status.GetString() == "ready")
            {
                var stored = video.GetProperty("video");
                if (stored.GetProperty("provider").GetString() != "s3")
                {
                    throw new InvalidOperationException($"The tus upload {id} was stored on {stored.GetProperty("provider").GetString()}, not s3.");
                }

                return (look == 0 ? null : clock.Elapsed, stored.GetProperty("locator").GetString()!);
            }

            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"The tus upload {id} was not ready 10 minutes after its last PATCH: {video.GetRawText()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }
}
