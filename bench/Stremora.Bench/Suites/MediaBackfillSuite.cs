using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;
using Stremora.TestKit.Host;

namespace Stremora.Bench.Suites;

/// <summary>
/// 8. Media back-fill: 20 videos stored on S3 by an instance with <c>Media__Analyze=false</c>, then an instance with
/// analysis on over the same database; from <c>POST /api/admin/media/analyze</c> until all 20 show <c>media</c>
/// (ffprobe reading each from its presigned URL). Each run stores 20 new videos, so the job finds exactly those.
/// </summary>
internal static class MediaBackfillSuite
{
    private const int Videos = 20;

    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var settings = await context.BaseSettingsAsync("backfill");
        foreach (var (key, value) in await context.S3SettingsAsync())
        {
            settings[key] = value;
        }

        settings["Storage__Order"] = "s3";
        var old = new Dictionary<string, string>(settings, StringComparer.Ordinal) { ["Media__Analyze"] = "false" };
        var payload = context.Payloads.Get(Payloads.MiB);

        var rates = new List<double>();
        for (var run = 0; run < context.Options.Runs; run++)
        {
            var ids = new List<Guid>();
            var storing = await context.StartApiAsync("backfill-old", old, cancellationToken);
            for (var i = 0; i < Videos; i++)
            {
                ids.Add((await UploadClient.UploadAsync(storing.Http, context.Token, payload, cancellationToken)).Id);
            }

            await context.StopApiAsync(storing);

            var analysing = await context.StartApiAsync("backfill", settings, cancellationToken);
            using var admin = new HttpClient { BaseAddress = analysing.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Bearer", TestTokens.For("bench-admin", admin: true, lifetime: TimeSpan.FromHours(1), signingKey: context.SigningKey));
            var clock = Stopwatch.StartNew();
            using (var response = await admin.PostAsync(new Uri("/api/admin/media/analyze", UriKind.Relative), null, cancellationToken))
            {
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"POST /api/admin/media/analyze answered {(int)response.StatusCode}");
                }
            }

            foreach (var id in ids)
            {
                await UntilAnalyzedAsync(admin, id, cancellationToken);
            }

            clock.Stop();
            await context.StopApiAsync(analysing);
            rates.Add(Videos / clock.Elapsed.TotalSeconds);
            Console.WriteLine($"    back-fill run {run + 1}/{context.Options.Runs}: {Videos} videos in {clock.Elapsed.TotalSeconds:0.000} s");
        }

        context.Report.Add(BenchRow.Absolute(
            "media.backfill",
            "8",
            $"media back-fill over {Videos} stored 1 MiB videos on S3, POST → all analysed (videos/s)",
            "videos/s",
            rates,
            null,
            null,
            null,
            null));
    }

    private static async Task UntilAnalyzedAsync(HttpClient client, Guid id, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync(new Uri($"/api/videos/{id}", UriKind.Relative), cancellationToken);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (json.RootElement.TryGetProperty("media", out var media) && media.ValueKind == JsonValueKind.Object)
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"Video {id} had no media 5 minutes after the back-fill was queued.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }
}
