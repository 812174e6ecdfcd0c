using System.Globalization;

namespace Stremora.Bench.Infrastructure;

/// <summary>Sizes and repetitions: the full run (the published figures) or <c>--quick</c> (smaller, fewer, to try the harness).</summary>
internal sealed class BenchOptions
{
    public bool Quick { get; private init; }

    public required string Root { get; init; }

    public IReadOnlySet<string> Only { get; private init; } = new HashSet<string>(StringComparer.Ordinal);

    public int Runs => Quick ? 3 : 5;

    public int FailoverRuns => Quick ? 5 : 15;

    public long PassThroughBytes => (Quick ? 64 : 512) * Payloads.MiB;

    public long SmallMemoryBytes { get; init; } = 64 * Payloads.MiB;

    public long LargeMemoryBytes => (Quick ? 256 : 1024) * Payloads.MiB;

    public long ConcurrentBytes => (Quick ? 128 : 512) * Payloads.MiB;

    public int ConcurrentUploads { get; init; } = 4;

    public long FailoverBytes { get; init; } = 10 * Payloads.MiB;

    /// <summary>The size of each of the concurrency row's simultaneous uploads.</summary>
    public long ConcurrencyBytes => (Quick ? 16 : 64) * Payloads.MiB;

    public int ReadSeconds => Quick ? 3 : 10;

    public int ReadConnections { get; init; } = 32;

    public int LowReadConnections { get; init; } = 4;

    /// <summary>How many videos the catalogue suite seeds before it searches and pages.</summary>
    public int CatalogueVideos => Quick ? 10_000 : 100_000;

    public string ResultsDirectory => Path.Combine(Root, "bench-results");

    public string LogDirectory => Path.Combine(ResultsDirectory, "logs");

    public string ApiDirectory => Path.Combine(Root, "src", "Stremora.Api");

    public string ApiDll => Path.Combine(ApiDirectory, "bin", "Release", "net10.0", "Stremora.Api.dll");

    public static BenchOptions Parse(string[] args)
    {
        var quick = false;
        string? root = null;
        var only = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--root" when i + 1 < args.Length:
                    root = args[++i];
                    break;
                case "--only" when i + 1 < args.Length:
                    only.UnionWith(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                default:
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"unknown argument '{args[i]}' (use --quick, --only upload,cloudinary,failover,memory,reads,startup,observability,catalogue,backfill,media,tus,concurrency, --root DIR)"));
            }
        }

        return new BenchOptions { Quick = quick, Root = Path.GetFullPath(root ?? FindRoot()), Only = only };
    }

    public bool Includes(string suite) => Only.Count == 0 || Only.Contains(suite);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Stremora.Modular.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Stremora.Modular.sln): pass --root.");
    }
}
