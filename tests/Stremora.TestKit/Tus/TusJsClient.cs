using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stremora.TestKit.Tus;

/// <summary>What one run of the real tus-js-client did: every line it reported, in order.</summary>
public sealed record TusRun(int ExitCode, IReadOnlyList<JsonElement> Events, string Errors)
{
    public string? Url => Events.Select(e => e.TryGetProperty("url", out var url) ? url.GetString() : null).LastOrDefault(u => u is not null);

    public bool Succeeded => Events.Any(e => Is(e, "success"));

    /// <summary>The Upload-Offset of every PATCH the client sent, in order.</summary>
    public IReadOnlyList<long> PatchOffsets => [.. Events.Where(e => Is(e, "request") && e.GetProperty("method").GetString() == "PATCH").Select(e => long.Parse(e.GetProperty("offset").GetString()!, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The offsets the server acknowledged with a 204.</summary>
    public IReadOnlyList<long> Acknowledged => [.. Events.Where(e => Is(e, "acknowledged")).Select(e => e.GetProperty("offset").GetInt64())];

    public IReadOnlyList<string> Methods => [.. Events.Where(e => Is(e, "request")).Select(e => e.GetProperty("method").GetString()!)];

    public override string ToString() => $"exit {ExitCode}: {string.Join(" ", Events.Select(e => e.GetRawText()))} {Errors}";

    private static bool Is(JsonElement e, string name) => e.GetProperty("event").GetString() == name;
}

/// <summary>
/// Runs <c>tests/tus-client/upload.mjs</c> (the npm package tus-js-client 4.3.1, installed by <c>./stremora test</c>
/// with <c>npm ci</c>) under Node against a real listening API.
/// </summary>
public static class TusJsClient
{
    public static string Folder { get; } = FindFolder();

    /// <param name="endpoint">The creation URL, e.g. http://127.0.0.1:5080/api/uploads.</param>
    /// <param name="onEvent">Sees every reported line as it arrives (a test may kill the server on one).</param>
    /// <param name="bytesPerSecond">Paces the PATCHes to this average rate (a slower link than loopback); unpaced when null.</param>
    public static async Task<TusRun> UploadAsync(
        Uri endpoint,
        string token,
        string file,
        IReadOnlyDictionary<string, string> metadata,
        long? chunkSize = null,
        string? uploadUrl = null,
        double? abortAtFraction = null,
        Action<JsonElement>? onEvent = null,
        long? bytesPerSecond = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "tus-js-client")))
        {
            throw new InvalidOperationException($"tus-js-client is not installed: run 'npm ci' in {Folder} (./stremora test does).");
        }

        var input = new JsonObject
        {
            ["endpoint"] = endpoint.ToString(),
            ["token"] = token,
            ["file"] = file,
            ["metadata"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))),
            ["chunkSize"] = chunkSize,
            ["uploadUrl"] = uploadUrl,
            ["abortAtFraction"] = abortAtFraction,
            ["bytesPerSecond"] = bytesPerSecond,
        };
        var start = new ProcessStartInfo("node", ["upload.mjs"])
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["TUS_UPLOAD"] = input.ToJsonString();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var events = new List<JsonElement>();
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            var e = JsonDocument.Parse(line).RootElement.Clone();
            events.Add(e);
            onEvent?.Invoke(e);
        }

        await process.WaitForExitAsync(cancellationToken);
        return new TusRun(process.ExitCode, events, await errors);
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "tus-client");
            if (File.Exists(Path.Combine(candidate, "upload.mjs")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/tus-client/upload.mjs not found above {AppContext.BaseDirectory}.");
    }
}
