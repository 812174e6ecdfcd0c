using System.Net.Http.Headers;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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

    /// <inheritdoc cref="TestHostDefaults.NeverCron"/>
    public const string NeverCron = TestHostDefaults.NeverCron;

    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);

    public string ConnectionString { get; private set; } = "";

    /// <summary>A private temp folder for this host: local-disk storage and spool files live here, so tests can assert it is left clean.</summary>
    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), $"stremora-test-{Guid.NewGuid():N}");

    public string LocalStorageRoot => Path.Combine(WorkDirectory, "media");

    public string SpoolDirectory => Path.Combine(WorkDirectory, "spool");

    /// <summary>Where resumable uploads stage their bytes until they are complete.</summary>
    public string StagingDirectory => Path.Combine(WorkDirectory, "uploads");

    /// <summary>The host's errors (and worse) as it logged them: what a test prints when it got a 500 it did not expect.</summary>
    public CapturedLogs Errors { get; } = new(LogLevel.Error);

    /// <summary>Set by <see cref="StartKestrel"/>: where the real server listens.</summary>
    public Uri ServerAddress { get; private set; } = null!;

    /// <summary>The host's event store, for looking at streams and documents behind the API.</summary>
    public IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();

    /// <summary>Adds or overrides a configuration key (ASP.NET form, e.g. <c>Storage:Order</c>) before the host starts.</summary>
    public StremoraApiFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Adds or overrides several keys at once: what a fake server or a bucket hands out for a host to use it.</summary>
    public StremoraApiFactory With(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }

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

    /// <summary>A client with a bearer token for <paramref name="userId"/>, signed with the key this host was given.</summary>
    public HttpClient ClientFor(string userId, bool admin = false)
    {
        var signingKey = _settings.GetValueOrDefault("Auth:SigningKey") ?? TestTokens.SigningKey;
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(userId, admin, signingKey: signingKey));
        return client;
    }

    /// <summary>Starts the host on real Kestrel (loopback, a free port), for what the in-memory server cannot show: body limits, raw sockets.</summary>
    public Uri StartKestrel()
    {
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        ServerAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        return ServerAddress;
    }

    /// <summary>Every file under the local-disk root (relative paths).</summary>
    public IReadOnlySet<string> StoredFiles() =>
        Directory.Exists(LocalStorageRoot)
            ? Directory.EnumerateFiles(LocalStorageRoot, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(LocalStorageRoot, f)).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Asserts that a refused request stored nothing: no file was added to local-disk storage since <paramref name="before"/>,
    /// and every file then under one of <paramref name="ids"/> (videos or images) is still there. Other removals are not
    /// compared: on a shared host the deferred cleanups of earlier requests remove their files whenever their jobs run.
    /// </summary>
    public void AssertStoredNothingSince(IReadOnlySet<string> before, params IEnumerable<Guid> ids)
    {
        ArgumentNullException.ThrowIfNull(before);
        var now = StoredFiles();
        var added = now.Except(before).Order(StringComparer.Ordinal).ToList();
        Assert.True(added.Count == 0, "Files added to local storage: " + string.Join(", ", added));
        var folders = ids.Select(id => id.ToString("N")).ToList();
        var removed = before.Where(f => folders.Any(folder => f.Contains(folder, StringComparison.Ordinal)) && !now.Contains(f)).Order(StringComparer.Ordinal).ToList();
        Assert.True(removed.Count == 0, "Files removed from local storage: " + string.Join(", ", removed));
    }

    /// <summary>Every spool file still on disk: each upload must remove its own.</summary>
    public IReadOnlyList<string> SpoolFiles() =>
        Directory.Exists(SpoolDirectory) ? [.. Directory.EnumerateFiles(SpoolDirectory, "*", SearchOption.AllDirectories)] : [];

    /// <summary>Every staged resumable upload still on disk.</summary>
    public IReadOnlyList<string> StagedFiles() =>
        Directory.Exists(StagingDirectory) ? [.. Directory.EnumerateFiles(StagingDirectory, "*", SearchOption.AllDirectories)] : [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging => logging.AddProvider(Errors));
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:Postgres"] = ConnectionString,
            ["Auth:SigningKey"] = TestTokens.SigningKey,
            ["Hangfire:Dashboard:Username"] = DashboardUser,
            ["Hangfire:Dashboard:Password"] = DashboardPassword,
            ["Storage:Local:Root"] = LocalStorageRoot,
            ["Storage:SpoolDirectory"] = SpoolDirectory,
            ["Uploads:StagingRoot"] = StagingDirectory,
        };
        foreach (var (key, value) in TestHostDefaults.Settings)
        {
            settings[key] = value;
        }

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
