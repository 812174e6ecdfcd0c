using System.Security.Cryptography;
using Stremora.Bench.Reporting;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.Postgres;

namespace Stremora.Bench.Infrastructure;

/// <summary>Everything the suites share: options, the report, payloads, the signing key, and the real dependencies.</summary>
internal sealed class BenchContext : IAsyncDisposable
{
    public const string ApiVariablePrefix = "STREMORA_BENCH_API_";

    private readonly List<ApiProcess> _apis = [];
    private S3Target? _s3;
    private FakeCloudinaryServer? _cloudinary;
    private ApiProcess? _sharedS3;

    public BenchContext(BenchOptions options)
    {
        Options = options;
        WorkDirectory = Path.Combine(Path.GetTempPath(), $"stremora-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(WorkDirectory);
        Payloads = new Payloads(Path.Combine(WorkDirectory, "payloads"));
    }

    public BenchOptions Options { get; }

    public Report Report { get; } = new();

    public string WorkDirectory { get; }

    public Payloads Payloads { get; }

    /// <summary>A fresh HS256 key per bench run, given to every API instance; tokens are minted with it.</summary>
    public string SigningKey { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public string Token => TestTokens.For("bench-user", lifetime: TimeSpan.FromHours(3), signingKey: SigningKey);

    public async Task<S3Target> S3Async() => _s3 ??= await S3Target.CreateAsync();

    public async Task<IReadOnlyDictionary<string, string>> S3SettingsAsync() => (await S3Async()).Settings;

    /// <summary>One API with the chain "s3" only, shared by the suites that compare against it.</summary>
    public async Task<ApiProcess> SharedS3ApiAsync(CancellationToken cancellationToken)
    {
        if (_sharedS3 is null)
        {
            _sharedS3 = await StartApiAsync("s3", await S3ChainSettingsAsync("s3"), cancellationToken);
        }

        return _sharedS3;
    }

    /// <summary>An instance's settings for the chain s3 alone: the base settings and moto's bucket.</summary>
    public async Task<Dictionary<string, string>> S3ChainSettingsAsync(string name)
    {
        var settings = await BaseSettingsAsync(name);
        foreach (var (key, value) in await S3SettingsAsync())
        {
            settings[key] = value;
        }

        settings["Storage__Order"] = "s3";
        return settings;
    }

    public async Task<FakeCloudinaryServer> CloudinaryAsync() => _cloudinary ??= await FakeCloudinaryServer.StartAsync(signatureAlgorithm: "sha256");

    /// <summary>An instance's settings for the chain cloudinary,s3: the base settings, moto's bucket and the fake Cloudinary's account.</summary>
    public async Task<Dictionary<string, string>> CloudinaryChainSettingsAsync(string name)
    {
        var settings = await S3ChainSettingsAsync(name);
        foreach (var (key, value) in (await CloudinaryAsync()).Settings)
        {
            settings[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        settings["Storage__Order"] = "cloudinary,s3";
        return settings;
    }

    /// <summary>Settings every API instance gets: its own database, the bench's signing key, quiet logs, private temp folders.</summary>
    public async Task<Dictionary<string, string>> BaseSettingsAsync(string name)
    {
        var database = await PostgresServer.Instance.CreateDatabaseAsync("stremora_bench");
        var work = Path.Combine(WorkDirectory, name);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__Postgres"] = database,
            ["Auth__SigningKey"] = SigningKey,
            ["Storage__SpoolDirectory"] = Path.Combine(work, "spool"),
            ["Storage__Local__Root"] = Path.Combine(work, "media"),
            ["Uploads__StagingRoot"] = Path.Combine(work, "uploads"),
            ["Logging__LogLevel__Default"] = "Warning",

            // Background maintenance is not what is measured, and it shares moto with the measured uploads: the
            // abandoned-upload sweep (every 10 min) listing multipart uploads at 11:20:00 made moto answer 500 to the
            // memory step's four concurrent uploads. ApiProcess already gives every recurring job the never schedule
            // (and no poster frames unless a suite asks); the maintenance jobs are switched off altogether.
            ["Storage__Rebalance__Enabled"] = "false",
            ["Storage__Reconcile__Enabled"] = "false",
            // The bench's memory and tus rows send one user's uploads side by side (4 × 512 MiB): the
            // per-user cap would refuse all but three, and the cap is not what those rows measure.
            ["Upload__MaxConcurrentPerUser"] = "64",
        };

        // For experiments: STREMORA_BENCH_API_Storage__S3__ConcurrentParts=1 gives every API instance Storage__S3__ConcurrentParts=1.
        foreach (var variable in Environment.GetEnvironmentVariables().Keys.OfType<string>().Where(k => k.StartsWith(ApiVariablePrefix, StringComparison.Ordinal)))
        {
            settings[variable[ApiVariablePrefix.Length..]] = Environment.GetEnvironmentVariable(variable) ?? "";
        }

        return settings;
    }

    /// <summary>Starts <c>dotnet Stremora.Api.dll</c> (Release) with these settings; stopped when the bench ends, or by disposing it.</summary>
    public async Task<ApiProcess> StartApiAsync(string name, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(Options.ApiDll))
        {
            throw new InvalidOperationException($"{Options.ApiDll} is missing: build the API in Release first (./stremora bench does).");
        }

        var api = await ApiProcess.StartAsync(
            new ApiProcessOptions { Name = name, Dll = Options.ApiDll, WorkingDirectory = Options.ApiDirectory, LogDirectory = Options.LogDirectory, Settings = settings },
            cancellationToken);
        _apis.Add(api);
        return api;
    }

    public async Task StopApiAsync(ApiProcess api)
    {
        _apis.Remove(api);
        if (ReferenceEquals(api, _sharedS3))
        {
            _sharedS3 = null;
        }

        await api.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var api in _apis)
        {
            await api.DisposeAsync();
        }

        _apis.Clear();
        if (_cloudinary is not null)
        {
            await _cloudinary.DisposeAsync();
        }

        _s3?.Dispose();
        Payloads.Dispose();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
