using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Stremora.TestKit.Postgres;
using Xunit;

namespace Stremora.TestKit.Host;

/// <summary>
/// The real API host (Program) on its own fresh PostgreSQL database. Test classes share one per
/// class or collection through xunit fixtures; derive to add settings (providers, limits).
/// </summary>
public class StremoraApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string DashboardUser = "admin";
    public const string DashboardPassword = "dashboard-password-for-tests";

    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);

    public string ConnectionString { get; private set; } = "";

    /// <summary>A private temp folder for this host: local-disk storage and spool files live here, so tests can assert it is left clean.</summary>
    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), $"stremora-test-{Guid.NewGuid():N}");

    public string LocalStorageRoot => Path.Combine(WorkDirectory, "media");

    public string SpoolDirectory => Path.Combine(WorkDirectory, "spool");

    /// <summary>Adds or overrides a configuration key (ASP.NET form, e.g. <c>Storage:Order</c>) before the host starts.</summary>
    public StremoraApiFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await PostgresServer.Instance.CreateDatabaseAsync();
        Directory.CreateDirectory(LocalStorageRoot);
        Directory.CreateDirectory(SpoolDirectory);
    }

    public new virtual async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public HttpClient ClientFor(string userId, bool admin = false)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(userId, admin));
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:Postgres"] = ConnectionString,
            ["Auth:SigningKey"] = TestTokens.SigningKey,
            ["Hangfire:Dashboard:Username"] = DashboardUser,
            ["Hangfire:Dashboard:Password"] = DashboardPassword,
            ["Storage:Local:Root"] = LocalStorageRoot,
            ["Storage:SpoolDirectory"] = SpoolDirectory,
        };
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
