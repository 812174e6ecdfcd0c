using Microsoft.Playwright;
using Stremora.TestKit.Host;

namespace Stremora.BrowserTests;

/// <summary>The real host on Kestrel with no cloud configured (local-disk storage), and Debian's chromium to drive its page.</summary>
public class LocalBrowserHost : IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    public LocalBrowserHost()
        : this(new StremoraApiFactory())
    {
    }

    /// <summary>For a fixture whose host is derived (say, with a hook in its pipeline).</summary>
    protected LocalBrowserHost(StremoraApiFactory api) => Api = api;

    public StremoraApiFactory Api { get; }

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        Api.UseKestrel(0);
        Api.StartServer();
        BaseAddress = Api.ClientOptions.BaseAddress;
        _playwright = await Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Api.DisposeAsync();
    }
}
