using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Stremora.TestKit.FakeCloudinary;

/// <summary>GET /v1_1/{cloud}/resources/{resource_type}/upload?prefix=&amp;max_results=&amp;next_cursor= with HTTP Basic api_key:api_secret.</summary>
internal sealed class FakeCloudinaryAdmin(FakeCloudinaryServer server)
{
    public async Task ListAsync(HttpContext context)
    {
        var resourceType = context.GetRouteValue("resourceType") as string ?? "";
        try
        {
            await ProcessAsync(context, resourceType);
        }
        finally
        {
            server.Record(new FakeCloudinaryRequest("list", resourceType, null, null, context.Response.StatusCode, null));
        }
    }

    private async Task ProcessAsync(HttpContext context, string resourceType)
    {
        if (server.Refusal(context, signedFields: null) is { } refusal)
        {
            await FakeCloudinaryHttp.ErrorAsync(context, refusal.Status, refusal.Message);
            return;
        }

        if (!IsAuthorized(context.Request))
        {
            await FakeCloudinaryHttp.ErrorAsync(context, 401, "Invalid credentials");
            return;
        }

        var query = context.Request.Query;
        var prefix = query["prefix"].ToString();
        var max = int.TryParse(query["max_results"], NumberStyles.None, CultureInfo.InvariantCulture, out var requested) ? Math.Clamp(requested, 1, 500) : 10;
        var after = query["next_cursor"].ToString() is { Length: > 0 } cursor ? Encoding.UTF8.GetString(Convert.FromBase64String(cursor)) : null;

        var matching = server.Assets
            .Where(a => a.ResourceType == resourceType && a.PublicId.StartsWith(prefix, StringComparison.Ordinal))
            .Where(a => after is null || string.CompareOrdinal(a.PublicId, after) > 0)
            .ToList();
        var page = matching.Take(max).ToList();
        var body = new JsonObject { ["resources"] = new JsonArray([.. page.Select(a => (JsonNode)FakeCloudinaryFormats.Resource(server, a))]) };
        if (matching.Count > page.Count)
        {
            body["next_cursor"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].PublicId));
        }

        await FakeCloudinaryHttp.JsonAsync(context, body);
    }

    private bool IsAuthorized(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
        {
            return false;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter)) == $"{server.ApiKey}:{server.ApiSecret}";
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
