using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Stremora.OperationsTests.Infrastructure;
using Stremora.TestKit;
using Stremora.TestKit.Host;
using Stremora.TestKit.Postgres;

namespace Stremora.OperationsTests.Startup;

/// <summary>What an operator sees: a fresh start on an empty database (schemas created) prints a handful of lines.</summary>
public sealed class StartupLogTests
{
    [Fact]
    public async Task A_fresh_start_prints_at_most_40_lines_and_6000_characters_before_it_is_ready()
    {
        await using var api = await ApiProcess.StartAsync(new ApiProcessOptions { Settings = await SettingsAsync() });

        var lines = api.OutputBeforeReady.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length <= 40, $"{lines.Length} lines before ready:\n{api.OutputBeforeReady}");
        Assert.True(api.OutputBeforeReady.Length <= 6000, $"{api.OutputBeforeReady.Length} characters before ready:\n{api.OutputBeforeReady}");
        Assert.DoesNotContain("CREATE TABLE", api.OutputBeforeReady, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Json_formatter_gives_json_lines_and_request_logs_carry_the_trace_id()
    {
        var settings = await SettingsAsync();
        settings["Logging:Console:FormatterName"] = "json";
        await using var api = await ApiProcess.StartAsync(new ApiProcessOptions { Settings = settings });
        var traceId = ActivityTraceId.CreateRandom();
        // Raw HTTP: the test's own traceparent must reach the service as sent, not be replaced by HttpClient's diagnostics.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", api.Port);
            await using var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"GET /api/videos HTTP/1.1\r\nHost: 127.0.0.1\r\ntraceparent: 00-{traceId}-{ActivitySpanId.CreateRandom()}-01\r\nConnection: close\r\n\r\n"));
            using var reader = new StreamReader(stream, Encoding.ASCII);
            Assert.StartsWith("HTTP/1.1 200", await reader.ReadLineAsync());
        }

        List<JsonElement> requestEntries = [];
        // The readiness probes log their own "Request finished": wait for the one in this request's trace.
        await Eventually.UntilAsync(
            () => Task.FromResult((requestEntries = InTrace(Entries(api.Output), traceId)).Any(e => Message(e).StartsWith("Request finished", StringComparison.Ordinal))),
            "the request's 'Request finished' entry is logged with its trace id",
            TimeSpan.FromSeconds(30));
        Assert.Contains(requestEntries, e => Message(e).StartsWith("Request starting", StringComparison.Ordinal));
    }

    private static string Message(JsonElement entry) => entry.GetProperty("Message").GetString()!;

    private static List<JsonElement> InTrace(JsonElement[] entries, ActivityTraceId traceId) =>
        [.. entries.Where(e => e.TryGetProperty("Scopes", out var scopes)
                               && scopes.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out var id) && id.GetString() == traceId.ToString()))];

    /// <summary>Every line is one JSON object (a line that is not fails the parse, and so the test).</summary>
    private static JsonElement[] Entries(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    private static async Task<Dictionary<string, string>> SettingsAsync() => new(StringComparer.Ordinal)
    {
        ["ConnectionStrings:Postgres"] = await PostgresServer.Instance.CreateDatabaseAsync("stremora_startup"),
        ["Auth:SigningKey"] = TestTokens.SigningKey,
        ["Storage:Local:Root"] = Path.Combine(Path.GetTempPath(), $"stremora-startup-{Guid.NewGuid():N}"),
    };
}
