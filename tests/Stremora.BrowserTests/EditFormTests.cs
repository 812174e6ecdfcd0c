using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Stremora.TestKit.Host;

namespace Stremora.BrowserTests;

/// <summary>The upload page's edit form in a real browser against the real host (local-disk storage): PATCH and PUT thumbnail with If-Match.</summary>
public sealed class EditFormTests(LocalBrowserHost host) : IClassFixture<LocalBrowserHost>
{
    [Fact]
    public async Task The_owner_edits_the_title_and_replaces_the_thumbnail_and_sees_both_saved()
    {
        var page = await host.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            // The browser's own favicon request, and the 412 this test provokes, are the only failed loads allowed.
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal) && !message.Text.Contains("status of 412", StringComparison.Ordinal))
            {
                consoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        await page.GotoAsync(host.BaseAddress.ToString());
        await page.GetByLabel("Bearer token").FillAsync(TestTokens.For("carol"));
        var id = await UploadPageTests.UploadGeneratedVideoAsync(page, "Before the edit");
        await Assertions.Expect(page.Locator("#edit")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("New title")).ToHaveValueAsync("Before the edit");
        await Assertions.Expect(page.Locator("#edit-thumbnail-caption")).ToHaveTextAsync("No thumbnail yet.");

        // Title, description and published, saved with the version the form was loaded at.
        await page.GetByLabel("New title").FillAsync("After the edit");
        await page.GetByLabel("New description").FillAsync("Edited in the browser.");
        await page.GetByLabel("Published (shown to everyone)").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.Locator("#edit-status")).ToHaveTextAsync("Saved.");
        await Assertions.Expect(page.Locator("#result-title")).ToHaveTextAsync("After the edit");
        using var owner = host.Api.CreateClient();
        owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For("carol"));
        var saved = await owner.GetFromJsonAsync<JsonElement>(new Uri($"/api/videos/{id}", UriKind.Relative));
        Assert.Equal(("After the edit", "Edited in the browser.", false), (saved.GetProperty("title").GetString(), saved.GetProperty("description").GetString(), saved.GetProperty("published").GetBoolean()));
        using var anonymous = host.Api.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(new Uri($"/api/videos/{id}", UriKind.Relative))).StatusCode);

        // A thumbnail, then another: the form shows each new image once it is stored.
        await ReplaceThumbnailAsync(page, width: 64, height: 36);
        await ReplaceThumbnailAsync(page, width: 80, height: 45);
        var replaced = await owner.GetFromJsonAsync<JsonElement>(new Uri($"/api/videos/{id}", UriKind.Relative));
        Assert.Equal(replaced.GetProperty("thumbnail").GetProperty("url").GetString(), await page.Locator("#edit-thumbnail").GetAttributeAsync("src"));
        Assert.Equal("image/png", replaced.GetProperty("thumbnail").GetProperty("contentType").GetString());

        // Changed behind the form's back: the save is refused (412), the form shows the latest version.
        using (var behind = await owner.PatchAsJsonAsync(new Uri($"/api/videos/{id}", UriKind.Relative), new { title = "Changed elsewhere" }))
        {
            Assert.Equal(HttpStatusCode.OK, behind.StatusCode);
        }

        await page.GetByLabel("New title").FillAsync("Lost update");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.Locator("#edit-error")).ToContainTextAsync("Someone changed this video after you opened it");
        await Assertions.Expect(page.GetByLabel("New title")).ToHaveValueAsync("Changed elsewhere");
        var latest = await owner.GetFromJsonAsync<JsonElement>(new Uri($"/api/videos/{id}", UriKind.Relative));
        Assert.Equal("Changed elsewhere", latest.GetProperty("title").GetString());
        Assert.True(consoleErrors.Count == 0, string.Join(" | ", consoleErrors));
    }

    /// <summary>Draws a PNG in the page, picks it in the form, replaces the thumbnail and waits until the new image is shown.</summary>
    private static async Task ReplaceThumbnailAsync(IPage page, int width, int height)
    {
        await page.EvaluateAsync(
            """
            async ([width, height]) => {
              const canvas = document.createElement("canvas");
              canvas.width = width; canvas.height = height;
              const g = canvas.getContext("2d");
              g.fillStyle = `hsl(${width * 3}, 70%, 45%)`; g.fillRect(0, 0, width, height);
              const blob = await new Promise((r) => canvas.toBlob(r, "image/png"));
              const transfer = new DataTransfer();
              transfer.items.add(new File([blob], `poster-${width}.png`, { type: "image/png" }));
              const input = document.getElementById("edit-thumbnail-file");
              input.files = transfer.files;
              input.dispatchEvent(new Event("change", { bubbles: true }));
            }
            """,
            new[] { width, height });
        await page.GetByRole(AriaRole.Button, new() { Name = "Replace thumbnail" }).ClickAsync();
        await Assertions.Expect(page.Locator("#edit-status")).ToHaveTextAsync("Thumbnail replaced: stored on local.");
        await page.WaitForFunctionAsync(
            "width => { const i = document.getElementById('edit-thumbnail'); return !i.hidden && i.complete && i.naturalWidth === width; }",
            width,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
    }
}
