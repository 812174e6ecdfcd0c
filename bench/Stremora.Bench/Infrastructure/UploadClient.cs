using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Stremora.Bench.Infrastructure;

/// <summary>What the API answered to an upload, and how long it took from the first byte sent to the last byte of the answer.</summary>
internal sealed record UploadOutcome(TimeSpan Elapsed, Guid Id, string Provider, string Locator, IReadOnlyList<(string Provider, string Outcome)> Attempts);

/// <summary>POST /api/videos as a browser would send it: multipart form, the file streamed from disk.</summary>
internal static class UploadClient
{
    public static async Task<UploadOutcome> UploadAsync(HttpClient http, string token, string path, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("bench upload"), "title");
        form.Add(new StringContent("uploaded by ./stremora bench"), "description");
        var file = new StreamContent(
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan),
            128 * 1024);
        file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        form.Add(file, "video", Path.GetFileName(path));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/videos") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        clock.Stop();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Upload answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 800)]}");
        }

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var video = root.GetProperty("video");
        var attempts = root.GetProperty("attempts").EnumerateArray()
            .Select(a => (a.GetProperty("provider").GetString() ?? "", a.GetProperty("outcome").GetString() ?? ""))
            .ToList();
        return new UploadOutcome(
            clock.Elapsed,
            root.GetProperty("id").GetGuid(),
            video.GetProperty("provider").GetString() ?? "",
            video.GetProperty("locator").GetString() ?? "",
            attempts);
    }
}
