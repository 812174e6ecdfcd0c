using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.S3;

namespace Stremora.BrowserTests;

/// <summary>
/// The upload page in a real browser (Debian's chromium driven by Playwright) against the real host on
/// Kestrel, with the fake Cloudinary as primary and moto_server (S3) as fallback.
/// </summary>
public sealed partial class UploadPageTests : IAsyncLifetime
{
    private static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private readonly StremoraApiFactory _api = new();
    private FakeCloudinaryServer _cloudinary = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private Uri _baseAddress = null!;

    public async Task InitializeAsync()
    {
        _cloudinary = await FakeCloudinaryServer.StartAsync();
        var bucket = await MotoServer.Instance.CreateBucketAsync();
        await _api.InitializeAsync();
        foreach (var (key, value) in _cloudinary.Settings)
        {
            _api.With(key, value);
        }

        _api.WithS3(bucket).With("Storage:Order", "cloudinary,s3");
        _api.UseKestrel(0);
        _api.StartServer();
        _baseAddress = _api.ClientOptions.BaseAddress;

        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _api.DisposeAsync();
        await _cloudinary.DisposeAsync();
    }

    [Fact]
    public async Task Upload_watch_failover_and_delete_through_the_page()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.Contains("404", StringComparison.Ordinal))
            {
                consoleErrors.Add(message.Text);
            }
        };
        await page.GotoAsync(_baseAddress.ToString());
        await page.GetByLabel("Bearer token").FillAsync(TestTokens.For("alice"));
        await Assertions.Expect(page.Locator("#whoami")).ToContainTextAsync("Signed in as alice");

        // 1. Cloudinary healthy: the video lands there and plays from its URL.
        var first = await UploadGeneratedVideoAsync(page, "Sunset over the bay");
        await Assertions.Expect(page.Locator("#result-provider")).ToHaveTextAsync("cloudinary");
        await Assertions.Expect(page.Locator("#failover-note")).ToBeHiddenAsync();
        await ExpectPlayableAsync(page);
        Assert.Single(_cloudinary.Assets);

        // 2. Cloudinary failing: the page shows the failover to S3 and still plays the video.
        _cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        var second = await UploadGeneratedVideoAsync(page, "Harbour at night (failover)");
        await Assertions.Expect(page.Locator("#result-provider")).ToHaveTextAsync("s3");
        await Assertions.Expect(page.Locator("#failover-note")).ToContainTextAsync("cloudinary could not take the video, so it was stored on s3");
        await Assertions.Expect(page.Locator("#attempts tr.outcome-failed")).ToContainTextAsync("cloudinary");
        await Assertions.Expect(page.Locator("#attempts tr.outcome-stored")).ToContainTextAsync("s3");
        await ExpectPlayableAsync(page);
        await PlayAFewFramesAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "upload-failover-to-s3.png"), FullPage = true });
        _cloudinary.Faults.Clear();

        // 3. The recent list shows both; the owner deletes the one on screen and the API forgets it at once.
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Assertions.Expect(page.Locator("#recent li")).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete this video" }).ClickAsync();
        await Assertions.Expect(page.Locator("#result")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#progress-text")).ToContainTextAsync("Deleted");
        await Assertions.Expect(page.Locator("#recent li")).ToHaveCountAsync(1);
        using var client = _api.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri($"/api/videos/{second}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri($"/api/videos/{first}", UriKind.Relative))).StatusCode);
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task Problems_from_the_api_are_shown_in_words()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        await page.GotoAsync(_baseAddress.ToString());
        await page.GetByLabel("Bearer token").FillAsync(TestTokens.For("bob", lifetime: TimeSpan.FromMinutes(-5)));
        await page.Locator("#upload-form").GetByLabel("Title").FillAsync("Expired token");
        await page.Locator("#video").SetInputFilesAsync(new FilePayload { Name = "clip.webm", MimeType = "video/webm", Buffer = [0x1A, 0x45, 0xDF, 0xA3, 0x01, 0x02] });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not signed in, or your token has expired");

        await page.GetByLabel("Bearer token").FillAsync(TestTokens.For("bob"));
        await page.Locator("#video").SetInputFilesAsync(new FilePayload { Name = "notes.mp4", MimeType = "video/mp4", Buffer = "just some text, not a video"u8.ToArray() });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not a video");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "narrow-screen-error.png"), FullPage = true });
    }

    /// <summary>Records a short WebM in the page itself (canvas + MediaRecorder), picks it in the form and uploads it.</summary>
    internal static async Task<string> UploadGeneratedVideoAsync(IPage page, string title)
    {
        await page.Locator("#upload-form").GetByLabel("Title").FillAsync(title);
        await page.Locator("#upload-form").GetByLabel("Description").FillAsync("Recorded by the browser test.");
        await page.EvaluateAsync(
            """
            async () => {
              const canvas = document.createElement("canvas");
              canvas.width = 320; canvas.height = 180;
              const g = canvas.getContext("2d");
              const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: "video/webm;codecs=vp8" });
              const chunks = [];
              recorder.ondataavailable = (e) => chunks.push(e.data);
              let frame = 0;
              const timer = setInterval(() => {
                g.fillStyle = `hsl(${frame * 15}, 70%, 45%)`; g.fillRect(0, 0, 320, 180);
                g.fillStyle = "#fff"; g.font = "28px sans-serif"; g.fillText(`Stremora ${frame++}`, 40, 100);
              }, 40);
              recorder.start(100);
              await new Promise((r) => setTimeout(r, 1500));
              const stopped = new Promise((r) => (recorder.onstop = r));
              recorder.stop(); clearInterval(timer); await stopped;
              const file = new File(chunks, "generated.webm", { type: "video/webm" });
              const transfer = new DataTransfer();
              transfer.items.add(file);
              const input = document.getElementById("video");
              input.files = transfer.files;
              input.dispatchEvent(new Event("change", { bubbles: true }));
            }
            """);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();

        // The progress bar finishes, then the stored video is shown.
        await Assertions.Expect(page.Locator("#progress-text")).ToContainTextAsync("Done: stored on", new() { Timeout = 60_000 });
        Assert.Equal("100", await page.Locator("#progress").EvaluateAsync<string>("p => String(p.value)"));
        await Assertions.Expect(page.Locator("#result")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#result-title")).ToHaveTextAsync(title);
        await Assertions.Expect(page.Locator("#result-sha")).ToHaveTextAsync(Sha256Hex());
        return await page.Locator("#result-id").InnerTextAsync();
    }

    /// <summary>The video element has loaded its source from the provider's URL and decoded a frame, without a media error.</summary>
    private static async Task ExpectPlayableAsync(IPage page)
    {
        await page.WaitForFunctionAsync(
            "() => { const v = document.getElementById('player'); return v.currentSrc && v.readyState >= 2 && !v.error; }",
            null,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
    }

    /// <summary>Plays the stored video for a moment: it really decodes from the provider, and the screenshot shows a frame.</summary>
    private static async Task PlayAFewFramesAsync(IPage page)
    {
        await page.EvaluateAsync(
            """
            async () => {
              const v = document.getElementById("player");
              v.muted = true;
              await v.play();
              await new Promise((resolve) => {
                const check = () => (v.currentTime > 0.6 ? resolve() : requestAnimationFrame(check));
                check();
              });
              v.pause();
            }
            """);
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
