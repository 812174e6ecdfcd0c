using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Stremora.TestKit;

namespace Stremora.OperationsTests.Infrastructure;

/// <summary>
/// Debian's Prometheus server on loopback with a throwaway config and database (a temp folder), scraping one
/// target every second with a bearer token, queried through its HTTP API.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public static async Task<PrometheusServer> StartAsync(Uri target, string bearerToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var directory = Path.Combine(Path.GetTempPath(), $"stremora-prometheus-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: stremora
                metrics_path: /metrics
                authorization:
                  type: Bearer
                  credentials: "{bearerToken}"
                static_configs:
                  - targets: ["{target.Authority}"]
            """);
        var port = Loopback.FreePort();
        var start = new ProcessStartInfo(Tools.Find("prometheus"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add($"--config.file={config}");
        start.ArgumentList.Add($"--storage.tsdb.path={Path.Combine(directory, "data")}");
        start.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        start.ArgumentList.Add("--log.level=warn");
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start prometheus.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        await Eventually.UntilAsync(server.IsReadyAsync, "Prometheus answers /-/ready", TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>An instant PromQL query: the <c>data.result</c> array of the HTTP API's answer.</summary>
    public async Task<JsonElement> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync(new Uri("api/v1/query?query=" + Uri.EscapeDataString(promql), UriKind.Relative));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("data").GetProperty("result").Clone();
    }

    /// <summary>The query's series by the values of <paramref name="labels"/> (comma-joined), each with its value.</summary>
    public async Task<IReadOnlyDictionary<string, double>> SeriesAsync(string promql, params string[] labels)
    {
        var result = await QueryAsync(promql);
        return result.EnumerateArray().ToDictionary(
            series => string.Join(",", labels.Select(l => series.GetProperty("metric").TryGetProperty(l, out var v) ? v.GetString() : "")),
            series => double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<bool> IsReadyAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}.");
        }

        try
        {
            using var response = await _http.GetAsync(new Uri("-/ready", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
