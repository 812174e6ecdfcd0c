using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Stremora.TestKit.Host;

/// <summary>
/// The API as it runs in production: <c>dotnet Stremora.Api.dll</c> in its own process on a free loopback port,
/// configured through environment variables only, so its memory can be read from /proc and a test can kill -9
/// it the way a crashed machine would. Ready once <c>/health/ready</c> answers 200.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter? _log;
    private readonly string? _logPath;
    private readonly StringBuilder _output = new();

    private ApiProcess(string name, Process process, string? logPath, Uri baseAddress)
    {
        Name = name;
        _process = process;
        _logPath = logPath;
        _log = logPath is null ? null : new StreamWriter(logPath, append: true) { AutoFlush = true };
        BaseAddress = baseAddress;
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(30),
        };
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    /// <summary>What the process wrote before it was ready (kept in memory only when there is no log file).</summary>
    public string OutputBeforeReady { get; private set; } = "";

    /// <summary>One pooled client without credentials, for callers that send many requests.</summary>
    public HttpClient Http { get; }

    /// <summary>From Process.Start to the first 200 from /health/ready.</summary>
    public TimeSpan ReadyAfter { get; private set; }

    /// <summary>What the process wrote so far (for failure messages), or where its log file is.</summary>
    public string Output
    {
        get
        {
            if (_logPath is not null)
            {
                return $"(see {_logPath})";
            }

            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ApiProcess> StartAsync(ApiProcessOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseAddress = new Uri($"http://127.0.0.1:{options.Port ?? Loopback.FreePort()}/");
        string? logPath = null;
        if (options.LogDirectory is not null)
        {
            Directory.CreateDirectory(options.LogDirectory);
            logPath = Path.Combine(options.LogDirectory, $"{options.Name}.log");
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(StartInfo(options, baseAddress)) ?? throw new InvalidOperationException($"Could not start {options.Dll}.");
        var api = new ApiProcess(options.Name, process, logPath, baseAddress);
        process.OutputDataReceived += (_, e) => api.Write(e.Data);
        process.ErrorDataReceived += (_, e) => api.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await api.WaitUntilReadyAsync(clock, cancellationToken);
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }

        return api;
    }

    /// <summary>Runs the API until it stops by itself (start-up refusing bad settings): its exit code and everything it wrote.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(ApiProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var process = Process.Start(StartInfo(options, new Uri($"http://127.0.0.1:{Loopback.FreePort()}/"))) ?? throw new InvalidOperationException($"Could not start {options.Dll}.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>A client of its own, signed in as <paramref name="userId"/> when given.</summary>
    public HttpClient Client(string? userId = null, bool admin = false)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        if (userId is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(userId, admin));
        }

        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no finally blocks, no flushing; exactly what a crash leaves.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Stops the process: SIGTERM first, so the host stops gracefully (Hangfire, the async daemon); then no mercy.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
            }
        }

        _process.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private static ProcessStartInfo StartInfo(ApiProcessOptions options, Uri baseAddress)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = options.WorkingDirectory ?? Path.GetDirectoryName(options.Dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(options.Dll);
        foreach (var argument in options.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only what this instance is given: nothing from the caller's own environment leaks into its configuration.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("AWS_", StringComparison.Ordinal)
                                                             || k.StartsWith("CLOUDINARY_", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)
                                                             || k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in TestHostDefaults.Settings.Concat(options.Settings))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return start;
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (_log is not null)
        {
            lock (_log)
            {
                _log.WriteLine(line);
            }

            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilReadyAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = TimeSpan.FromSeconds(120);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The API '{Name}' exited with {_process.ExitCode} before it was ready: {Output}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("health/ready", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    ReadyAfter = clock.Elapsed;
                    OutputBeforeReady = _logPath is null ? Output : "";
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Starting: slow to answer.
            }

            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"The API '{Name}' was not ready within {deadline.TotalSeconds} s: {Output}");
            }

            // A process starting up has nothing to wait on but the clock: poll tightly, the figure is start-up time.
            await Task.Delay(10, cancellationToken);
        }
    }
}
