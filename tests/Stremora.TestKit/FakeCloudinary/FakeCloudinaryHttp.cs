using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Stremora.TestKit.FakeCloudinary;

/// <summary>Answers shaped like Cloudinary's, and the fault behaviours that come before any processing.</summary>
internal static class FakeCloudinaryHttp
{
    public static Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(new JsonObject { ["error"] = new JsonObject { ["message"] = message } }.ToJsonString(), context.RequestAborted);
    }

    public static Task JsonAsync(HttpContext context, JsonNode body)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static async Task DrainAsync(HttpContext context)
    {
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
    }

    /// <summary>Handles the faults that replace the whole answer. False when the request should be processed normally.</summary>
    public static async Task<bool> TryFailAsync(HttpContext context, FakeCloudinaryFault? fault, CancellationToken stopping)
    {
        switch (fault)
        {
            case FakeCloudinaryFault.InternalServerError:
                await DrainAsync(context);
                await ErrorAsync(context, 500, "General Error");
                return true;
            case FakeCloudinaryFault.ServiceUnavailable:
                await DrainAsync(context);
                await ErrorAsync(context, 503, "Service Unavailable");
                return true;
            case FakeCloudinaryFault.RateLimited:
                await DrainAsync(context);
                await ErrorAsync(context, 420, "Rate Limit Exceeded");
                return true;
            case FakeCloudinaryFault.TooManyRequests:
                await DrainAsync(context);
                await ErrorAsync(context, 429, "Too Many Requests");
                return true;
            case FakeCloudinaryFault.BadRequest:
                await DrainAsync(context);
                await ErrorAsync(context, 400, "Invalid video file");
                return true;
            case FakeCloudinaryFault.Hang:
                await HangAsync(context, stopping);
                return true;
            case FakeCloudinaryFault.ResetMidBody:
                await ResetAsync(context);
                return true;
            default:
                return false;
        }
    }

    private static async Task HangAsync(HttpContext context, CancellationToken stopping)
    {
        using var gaveUp = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await context.Request.Body.CopyToAsync(Stream.Null, gaveUp.Token);
            await Task.Delay(Timeout.Infinite, gaveUp.Token);
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }

        context.Abort();
    }

    /// <summary>Reads some of the body (half, at most 256 KB, at least one byte) and drops the connection.</summary>
    private static async Task ResetAsync(HttpContext context)
    {
        var wanted = Math.Clamp((context.Request.ContentLength ?? 2) / 2, 1, 256 * 1024);
        var buffer = new byte[8192];
        long read = 0;
        try
        {
            int n;
            while (read < wanted && (n = await context.Request.Body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, wanted - read)), context.RequestAborted)) > 0)
            {
                read += n;
            }
        }
        catch (IOException)
        {
        }

        context.Abort();
    }
}
