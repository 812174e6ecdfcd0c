using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Stremora.TestKit;
using Stremora.TestKit.Host;

namespace Stremora.BrowserTests;

/// <summary>
/// The upload page sends a video through tus (<c>/api/uploads</c>, 8 MiB per PATCH): Pause and Resume, and a reload
/// mid-upload, and a dropped connection, each going on from the offset the server holds. What is checked is the server's side: its HEAD offset
/// and the requests it saw (a page that went back to the multipart route would send no PATCH at all).
/// </summary>
public sealed class ResumableUploadPageTests(GatedBrowserHost host) : IClassFixture<GatedBrowserHost>, IDisposable
{
    /// <summary>The page's chunk size.</summary>
    private const int ChunkBytes = 8 * 1024 * 1024;

    /// <summary>Three PATCHes: two whole chunks and a short one.</summary>
    private const int VideoBytes = (2 * ChunkBytes) + (3 * 1024 * 1024);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _folder = Directory.CreateTempSubdirectory("stremora-browser-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Pause_stops_the_upload_mid_way_and_resume_finishes_it_from_the_servers_offset()
    {
        var (bytes, path) = WriteVideo("pause-and-resume.mp4", seed: 3);
        var page = await OpenPageAsync("dora");
        var start = host.Gate.Requests.Count;
        // The second chunk is taken (the server holds 16 MiB) but its answer waits: the page pauses mid-upload.
        var hold = host.Gate.HoldAnswerTo(ChunkBytes);
        await StartUploadAsync(page, path, "Paused and resumed");
        await HeldAsync(hold);

        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await hold.Abandoned.WaitAsync(Deadline);
        await Assertions.Expect(page.Locator("#progress-text")).ToContainTextAsync("Paused at");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resume" })).ToBeVisibleAsync();
        var id = UploadId(start);
        var paused = await ServerOffsetAsync(id, "dora");
        Assert.Equal(2L * ChunkBytes, paused);
        Assert.True(paused < bytes.Length);
        var shown = int.Parse(await page.Locator("#progress").EvaluateAsync<string>("p => String(p.value)"), CultureInfo.InvariantCulture);
        Assert.InRange(shown, 1, 99);

        // Paused means stopped: with the held answer let go, no chunk follows and the offset stays.
        hold.Open();
        Assert.Equal(paused, await ServerOffsetAsync(id, "dora"));
        Assert.Equal([0L, ChunkBytes], PatchOffsets(start));

        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await ExpectStoredAsync(page, id, bytes, "dora");
        // The page had heard of 8 MiB only; it asked the server (HEAD) and went on from its 16 MiB.
        Assert.Equal([0L, ChunkBytes, 2L * ChunkBytes], PatchOffsets(start));
        var afterPause = host.Gate.Requests.Skip(start).SkipWhile(r => r.Method != "PATCH" || r.Offset != ChunkBytes).Skip(1).ToList();
        Assert.Equal("HEAD", afterPause[0].Method);
        Assert.Single(host.Gate.Requests.Skip(start), r => r.Method == "POST");
        await ExpectNoResumeFingerprintAsync(page);
    }

    [Fact]
    public async Task A_reload_mid_upload_resumes_from_the_offset_the_server_reports()
    {
        var (bytes, path) = WriteVideo("reloaded.mp4", seed: 5);
        var page = await OpenPageAsync("erin");
        var start = host.Gate.Requests.Count;
        // The first chunk is taken (the server holds 8 MiB) and the page is reloaded before it hears so.
        var hold = host.Gate.HoldAnswerTo(0);
        await StartUploadAsync(page, path, "Reloaded mid-way");
        await HeldAsync(hold);
        await page.ReloadAsync();
        await hold.Abandoned.WaitAsync(Deadline);
        hold.Open();
        var id = UploadId(start);
        var offset = await ServerOffsetAsync(id, "erin");
        Assert.Equal(ChunkBytes, offset);

        // The same file picked again: the page remembers the upload (tus-js-client's fingerprint in localStorage).
        await page.Locator("#video").SetInputFilesAsync(path);
        await Assertions.Expect(page.Locator("#resume-note")).ToContainTextAsync("Part of this file was uploaded before");
        await Assertions.Expect(page.Locator("#upload-form").GetByLabel("Title")).ToHaveValueAsync("Reloaded mid-way");
        var resumed = host.Gate.Requests.Count;
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await ExpectStoredAsync(page, id, bytes, "erin");

        var second = host.Gate.Requests.Skip(resumed).ToList();
        Assert.DoesNotContain(second, r => r.Method == "POST");
        Assert.Equal("HEAD", second[0].Method);
        Assert.Equal(offset, second.First(r => r.Method == "PATCH").Offset);
        Assert.All(second, r => Assert.EndsWith(id, r.Path, StringComparison.Ordinal));
        await ExpectNoResumeFingerprintAsync(page);
    }

    [Fact]
    public async Task A_dropped_connection_mid_upload_is_resumed_by_the_page_from_the_servers_offset()
    {
        var (bytes, path) = WriteVideo("dropped.mp4", seed: 7);
        var page = await OpenPageAsync("fran");
        var start = host.Gate.Requests.Count;
        // The second chunk is taken (the server holds 16 MiB), then the connection is cut before its answer.
        host.Gate.DropAnswerTo(ChunkBytes);
        await StartUploadAsync(page, path, "Connection dropped");
        await Eventually.UntilAsync(() => host.Gate.Requests.Skip(start).Any(r => r.Method == "PATCH"), "the page sends its first chunk");
        var id = UploadId(start);
        await ExpectStoredAsync(page, id, bytes, "fran");

        // No click: the page asked the server where it stood (HEAD) and went on from 16 MiB. Chromium may resend the
        // cut-off PATCH by itself first (the connection was a reused one): the server refuses it with 409 and keeps its bytes.
        var requests = host.Gate.Requests.Skip(start).ToList();
        var patches = requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal([0L, ChunkBytes, 2L * ChunkBytes], patches.Where(r => r.Status == 204).Select(r => r.Offset!.Value));
        Assert.All(patches.Where(r => r.Status != 204), r => Assert.Equal((ChunkBytes, 409), (r.Offset!.Value, r.Status)));
        var last = requests.FindIndex(r => r.Method == "PATCH" && r.Offset == 2L * ChunkBytes);
        Assert.Equal("HEAD", requests[last - 1].Method);
        Assert.Single(host.Gate.Requests.Skip(start), r => r.Method == "POST");
        await ExpectNoResumeFingerprintAsync(page);
    }

    /// <summary>Waits until the page's PATCH at the hold's offset was taken: a page that does not upload through tus never gets there.</summary>
    private async Task HeldAsync(HeldAnswer hold)
    {
        try
        {
            await hold.Held.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The page sent no PATCH at offset {hold.Offset} to /api/uploads within {Deadline.TotalSeconds} s; the tus requests seen: "
                        + string.Join(", ", host.Gate.Requests.Select(r => $"{r.Method} {r.Path} {r.Offset}")));
        }
    }

    private (byte[] Bytes, string Path) WriteVideo(string name, byte seed)
    {
        var bytes = Samples.Mp4(VideoBytes, seed);
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return (bytes, path);
    }

    private async Task<IPage> OpenPageAsync(string user)
    {
        var page = await host.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        await page.GotoAsync(host.BaseAddress.ToString());
        await page.GetByLabel("Bearer token").FillAsync(TestTokens.For(user));
        await Assertions.Expect(page.Locator("#whoami")).ToContainTextAsync($"Signed in as {user}");
        return page;
    }

    private static async Task StartUploadAsync(IPage page, string path, string title)
    {
        await page.Locator("#upload-form").GetByLabel("Title").FillAsync(title);
        await page.Locator("#upload-form").GetByLabel("Description").FillAsync("Sent through tus by the browser test.");
        await page.Locator("#video").SetInputFilesAsync(path);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
    }

    /// <summary>The page shows the stored video with the file's SHA-256, and the API has it ready with the same bytes.</summary>
    private async Task ExpectStoredAsync(IPage page, string id, byte[] bytes, string owner)
    {
        await Assertions.Expect(page.Locator("#progress-text")).ToContainTextAsync("Done: stored on local", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#result-id")).ToHaveTextAsync(id);
        await Assertions.Expect(page.Locator("#result-sha")).ToHaveTextAsync(Samples.Sha256(bytes));
        using var client = host.Api.ClientFor(owner);
        var video = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/videos/{id}", UriKind.Relative));
        Assert.Equal("ready", video.GetProperty("status").GetString());
        Assert.Equal(Samples.Sha256(bytes), video.GetProperty("video").GetProperty("sha256").GetString());
        Assert.Equal(bytes.Length, video.GetProperty("video").GetProperty("bytes").GetInt64());
    }

    /// <summary>removeFingerprintOnSuccess: once stored, the page no longer offers to resume the file.</summary>
    private static async Task ExpectNoResumeFingerprintAsync(IPage page) =>
        Assert.Equal(0, await page.EvaluateAsync<int>("() => Object.keys(localStorage).filter((k) => k.startsWith('tus::')).length"));

    /// <summary>The upload id (the video id) of the first chunk sent since <paramref name="start"/>.</summary>
    private string UploadId(int start) => host.Gate.Requests.Skip(start).First(r => r.Method == "PATCH").Path.Split('/')[^1];

    private List<long> PatchOffsets(int start) => [.. host.Gate.Requests.Skip(start).Where(r => r.Method == "PATCH").Select(r => r.Offset!.Value)];

    private async Task<long> ServerOffsetAsync(string id, string owner)
    {
        using var client = host.Api.ClientFor(owner);
        using var head = new HttpRequestMessage(HttpMethod.Head, $"/api/uploads/{id}");
        head.Headers.Add("Tus-Resumable", "1.0.0");
        using var response = await client.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return long.Parse(response.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
    }
}
