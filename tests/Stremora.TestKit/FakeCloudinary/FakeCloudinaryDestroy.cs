using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Stremora.TestKit.FakeCloudinary;

/// <summary>POST /v1_1/{cloud}/{resource_type}/destroy: {"result":"ok"} or {"result":"not found"}.</summary>
internal sealed class FakeCloudinaryDestroy(FakeCloudinaryServer server)
{
    public async Task HandleAsync(HttpContext context)
    {
        var resourceType = context.GetRouteValue("resourceType") as string ?? "";
        var fault = server.Faults.Take();
        var answered = true;
        try
        {
            if (await FakeCloudinaryHttp.TryFailAsync(context, fault, server.Stopping))
            {
                answered = fault is not (FakeCloudinaryFault.Hang or FakeCloudinaryFault.ResetMidBody);
                return;
            }

            await ProcessAsync(context, resourceType, fault);
        }
        finally
        {
            server.Record(new FakeCloudinaryRequest("destroy", resourceType, null, null, answered ? context.Response.StatusCode : 0, fault));
        }
    }

    private async Task ProcessAsync(HttpContext context, string resourceType, FakeCloudinaryFault? fault)
    {
        if (!context.Request.HasFormContentType)
        {
            await FakeCloudinaryHttp.ErrorAsync(context, 400, "Destroy requests must be a form");
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        if (server.Refusal(context, fields) is { } refusal)
        {
            await FakeCloudinaryHttp.ErrorAsync(context, refusal.Status, refusal.Message);
            return;
        }

        if (!fields.TryGetValue("public_id", out var publicId) || publicId.Length == 0)
        {
            await FakeCloudinaryHttp.ErrorAsync(context, 400, "Missing required parameter - public_id");
            return;
        }

        var type = fields.GetValueOrDefault("type") is { Length: > 0 } given ? given : "upload";
        var removed = type == "upload" && server.TryRemoveAsset(resourceType, publicId);
        if (fault == FakeCloudinaryFault.InvalidJson)
        {
            await context.Response.WriteAsync("{\"result\":", context.RequestAborted);
            return;
        }

        await FakeCloudinaryHttp.JsonAsync(context, new JsonObject { ["result"] = removed ? "ok" : "not found" });
    }
}
