using System.Diagnostics;
using Npgsql;

namespace Stremora.TestKit.Postgres;

/// <summary>
/// A real PostgreSQL for the tests: the server named by <c>STREMORA_TEST_POSTGRES</c> (a connection
/// string whose user may create databases), or else a throwaway cluster from the local server binaries,
/// started once per test process and removed when it exits. Every host fixture gets its own database.
/// </summary>
public sealed class PostgresServer
{
    public const string ExternalVariable = "STREMORA_TEST_POSTGRES";

    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _adminConnectionString;

    private PostgresServer(string adminConnectionString) => _adminConnectionString = adminConnectionString;

    public static PostgresServer Instance => Shared.Value;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "stremora_test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(60, prefix.Length + 33)];
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"create database \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    private static PostgresServer Start()
    {
        var external = Environment.GetEnvironmentVariable(ExternalVariable);
        return !string.IsNullOrWhiteSpace(external) ? new PostgresServer(external) : StartThrowawayCluster();
    }

    private static PostgresServer StartThrowawayCluster()
    {
        var bin = FindServerBinaries();
        var root = Path.Combine(Path.GetTempPath(), $"stremora-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            // initdb refuses to run as root; the cluster belongs to the postgres user.
            Run("chown", ["postgres:postgres", root], asUser: null);
        }

        var user = asPostgres ? "postgres" : null;
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", "stremora", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], user);
        var port = Loopback.FreePort();
        Run(
            Path.Combine(bin, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "start",
             "-o", $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"],
            user);

        // The test host may be killed rather than exit (vstest does that), so a watchdog outside this
        // process stops the cluster and removes its folder once this process is gone, however it ends.
        StartWatchdog(Path.Combine(bin, "pg_ctl"), data, root, user);

        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=stremora;Database=postgres;Pooling=false");
    }

    private static void StartWatchdog(string pgCtl, string data, string root, string? user)
    {
        var stop = user is null
            ? $"'{pgCtl}' -D '{data}' -m immediate -w stop"
            : $"runuser -u {user} -- '{pgCtl}' -D '{data}' -m immediate -w stop";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{root}'";
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "bash", "-c", script })
        {
            start.ArgumentList.Add(a);
        }

        // Not awaited and not disposed with a kill: it must outlive this process.
        using var watchdog = Process.Start(start) ?? throw new InvalidOperationException("Could not start the PostgreSQL watchdog.");
    }

    private static string FindServerBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException(
                $"No PostgreSQL server binaries under /usr/lib/postgresql/*/bin: install the 'postgresql' package or set {ExternalVariable}.");
    }

    private static void Run(string file, IReadOnlyList<string> arguments, string? asUser)
    {
        var start = new ProcessStartInfo
        {
            FileName = asUser is null ? file : "runuser",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asUser is not null)
        {
            foreach (var a in new[] { "-u", asUser, "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} did not finish in 90 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        }
    }
}
