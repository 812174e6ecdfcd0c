using System.Text.Json;
using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;

namespace Stremora.Bench.Suites;

/// <summary>
/// 9. What media analysis and the poster frame cost an upload: the same 64 MiB video (no thumbnail) through
/// <c>POST /api/videos</c>, chain <c>s3</c>, on an instance with ffprobe analysis and poster frames on and on one with
/// <c>Media__Analyze=false</c>, run after run in alternating order. The difference of the medians is the cost.
/// </summary>
internal static class MediaCostSuite
{
    private const long Bytes = 64 * Payloads.MiB;
    private const int WarmUpRounds = 3;

    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var s3 = await context.S3Async();
        var on = await StartAsync(context, "media-on", analyze: true, cancellationToken);
        var off = await StartAsync(context, "media-off", analyze: false, cancellationToken);
        var file = context.Payloads.Get(Bytes);

        async Task<double> Upload(ApiProcess api)
        {
            var outcome = await UploadClient.UploadAsync(api.Http, context.Token, file, cancellationToken);
            UploadSuites.Expect(outcome, "s3");
            await s3.DeleteAsync(outcome.Locator, cancellationToken);
            return outcome.Elapsed.TotalSeconds;
        }

        for (var round = 0; round < WarmUpRounds; round++)
        {
            await Upload(on);
            await Upload(off);
        }

        await ExpectAnalysedAsync(context, on, file, cancellationToken);
        var (withMedia, without) = await UploadSuites.Alternate(context.Options.Runs, () => Upload(on), () => Upload(off), $"{UploadSuites.Label(Bytes)} upload, media on vs off");
        await context.StopApiAsync(on);
        await context.StopApiAsync(off);
        var ratio = Summary.Of(withMedia).Median / Summary.Of(without).Median;
        Console.WriteLine($"    media on vs off: {Summary.Of(withMedia).Median:0.000} s vs {Summary.Of(without).Median:0.000} s, {Summary.Of(withMedia).Median - Summary.Of(without).Median:+0.000;-0.000} s, ×{ratio:0.00}");
        context.Report.Add(BenchRow.Difference(
            "media.cost",
            "9",
            $"{UploadSuites.Label(Bytes)} upload without a thumbnail, chain = s3, ffprobe analysis + poster frame on (s)",
            "s",
            withMedia,
            "the same upload with Media__Analyze=false",
            without,
            "≤ +0.3 s",
            d => d <= 0.3,
            $"ratio of the medians ×{ratio:0.00}"));
    }

    private static async Task<ApiProcess> StartAsync(BenchContext context, string name, bool analyze, CancellationToken cancellationToken)
    {
        var settings = await context.BaseSettingsAsync(name);
        foreach (var (key, value) in await context.S3SettingsAsync())
        {
            settings[key] = value;
        }

        settings["Storage__Order"] = "s3";
        settings["Media__Analyze"] = analyze ? "true" : "false";
        settings["Media__Posters"] = analyze ? "true" : "false";
        return await context.StartApiAsync(name, settings, cancellationToken);
    }

    /// <summary>Outside the timing: the "on" instance really analyses and makes a poster (else the row measures nothing).</summary>
    private static async Task ExpectAnalysedAsync(BenchContext context, ApiProcess api, string file, CancellationToken cancellationToken)
    {
        var outcome = await UploadClient.UploadAsync(api.Http, context.Token, file, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/videos/{outcome.Id}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", context.Token);
        using var response = await api.Http.SendAsync(request, cancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var video = json.RootElement;
        var source = video.TryGetProperty("thumbnail", out var thumbnail) && thumbnail.ValueKind == JsonValueKind.Object ? thumbnail.GetProperty("source").GetString() : null;
        if (video.GetProperty("media").ValueKind != JsonValueKind.Object || source != "generated")
        {
            throw new InvalidOperationException($"The media-on instance stored video {outcome.Id} without media or a generated poster: {video.GetRawText()[..Math.Min(video.GetRawText().Length, 600)]}");
        }

        await (await context.S3Async()).DeleteAsync(outcome.Locator, cancellationToken);
    }
}
