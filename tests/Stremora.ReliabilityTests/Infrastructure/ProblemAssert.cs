using System.Net;
using System.Text.Json;

namespace Stremora.ReliabilityTests.Infrastructure;

public static class ProblemAssert
{
    /// <summary>Text that must never reach a caller in an error: stack traces, exception type names, server paths.</summary>
    private static readonly string[] InternalMarkers = ["   at ", "Exception", "StackTrace", "Stremora.Modules", "Stremora.Api", "/tmp/", "Npgsql", "Marten", "Host="];

    /// <summary>Asserts an RFC 9457 body (media type, status inside, a title) that reveals nothing internal; returns it parsed.</summary>
    public static JsonElement IsProblem(HttpStatusCode status, string? mediaType, string body, string context)
    {
        Assert.True(mediaType == "application/problem+json", $"{context}: expected application/problem+json, got '{mediaType}': {body}");
        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"{context}: the problem body is not JSON: {body}");
            throw;
        }

        Assert.True(problem.TryGetProperty("status", out var inside) && inside.GetInt32() == (int)status, $"{context}: the problem's status is not {(int)status}: {body}");
        Assert.True(problem.TryGetProperty("title", out var title) && !string.IsNullOrWhiteSpace(title.GetString()), $"{context}: the problem has no title: {body}");
        foreach (var marker in InternalMarkers)
        {
            Assert.False(body.Contains(marker, StringComparison.Ordinal), $"{context}: the problem body reveals '{marker}': {body}");
        }

        return problem;
    }

    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string context)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{context}: expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return IsProblem(status, response.Content.Headers.ContentType?.MediaType, body, context);
    }
}
