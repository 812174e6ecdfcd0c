using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Stremora.TestKit;

namespace Stremora.OperationsTests.Infrastructure;

/// <summary>
/// Debian's nginx on loopback in front of API instances, configured from the same template as
/// <c>./stremora cluster</c> (deploy/nginx/stremora.conf.template), its prefix folder a temp directory.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _prefix;
    private readonly StringBuilder _output = new();

    private NginxServer(Process process, string prefix, Uri baseAddress)
    {
        _process = process;
        _prefix = prefix;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<NginxServer> StartAsync(IEnumerable<int> upstreamPorts)
    {
        var prefix = Path.Combine(Path.GetTempPath(), $"stremora-nginx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(prefix);
        var port = Loopback.FreePort();
        var upstreams = string.Concat(upstreamPorts.Select(p => $"        server 127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)} max_fails=1 fail_timeout=5s;\n"));
        var template = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "nginx", "stremora.conf.template"));
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, string.Concat(template.Select(line => line == "__UPSTREAMS__"
            ? upstreams
            : line.Replace("__PREFIX__", prefix, StringComparison.Ordinal).Replace("__LISTEN__", $"127.0.0.1:{port}", StringComparison.Ordinal) + "\n")));

        var start = new ProcessStartInfo(Tools.Find("nginx"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-p", prefix, "-c", config, "-e", Path.Combine(prefix, "error.log") })
        {
            start.ArgumentList.Add(argument);
        }

        if (Environment.UserName == "root")
        {
            // As root, nginx hands its workers to 'nobody', who may not reach the prefix folder.
            start.ArgumentList.Add("-g");
            start.ArgumentList.Add("user root;");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start nginx.");
        var server = new NginxServer(process, prefix, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.UntilAsync(() => server.AcceptsAsync(port), "nginx accepts connections", TimeSpan.FromSeconds(30));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_prefix, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task<bool> AcceptsAsync(int port)
    {
        if (_process.HasExited)
        {
            lock (_output)
            {
                throw new InvalidOperationException($"nginx exited with {_process.ExitCode}:\n{_output}");
            }
        }

        using var probe = new TcpClient();
        try
        {
            await probe.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
