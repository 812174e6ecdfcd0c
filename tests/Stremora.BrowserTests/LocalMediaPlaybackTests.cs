using Microsoft.Playwright;
using Stremora.TestKit.Host;

namespace Stremora.BrowserTests;

/// <summary>
/// With no cloud configured, videos are served by the service's own /media route, whose answers forbid
/// sniffing and scripting. A video opened straight from its URL in a tab must still play in the browser's
/// own player (a CSP 'sandbox' there gives that page an opaque origin and Chromium refuses the video).
/// </summary>
public sealed class LocalMediaPlaybackTests(LocalBrowserHost host) : IClassFixture<LocalBrowserHost>
{
    [Fact]
    public async Task A_video_on_local_disk_plays_when_its_url_is_opened_in_its_own_tab()
    {
        var page = await host.Browser.NewPageAsync();
        await page.GotoAsync(host.BaseAddress.ToString());
        await page.GetByLabel("Bearer token").FillAsync(TestTokens.For("alice"));
        await UploadPageTests.UploadGeneratedVideoAsync(page, "Opened in its own tab");
        await Assertions.Expect(page.Locator("#result-provider")).ToHaveTextAsync("local");
        var url = new Uri(host.BaseAddress, await page.Locator("#player").GetAttributeAsync("src"));
        Assert.StartsWith("/media/", url.AbsolutePath, StringComparison.Ordinal);

        var tab = await host.Browser.NewPageAsync();
        var errors = new List<string>();
        tab.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        var response = await tab.GotoAsync(url.ToString());
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.Equal("nosniff", response.Headers["x-content-type-options"]);
        await tab.WaitForFunctionAsync(
            "() => { const v = document.querySelector('video'); return v && v.readyState >= 2 && v.videoWidth > 0 && !v.error; }",
            null,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Empty(errors);
    }
}
