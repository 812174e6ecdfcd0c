using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Stremora.TestKit.FakeCloudinary;

/// <summary>GET the secure_url the fake returned: the stored bytes, with Range support as a CDN gives.</summary>
internal sealed class FakeCloudinaryDelivery(FakeCloudinaryServer server)
{
    public async Task ServeAsync(HttpContext context)
    {
        var resourceType = context.GetRouteValue("resourceType") as string ?? "";
        var path = context.GetRouteValue("path") as string ?? "";
        if (!string.Equals(context.GetRouteValue("cloud") as string, server.CloudName, StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // v{version}/{public_id}.{format}; the version is optional in Cloudinary URLs.
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash > 1 && path[0] == 'v' && path[1..slash].All(char.IsAsciiDigit))
        {
            path = path[(slash + 1)..];
        }

        var dot = path.LastIndexOf('.');
        var publicId = Uri.UnescapeDataString(dot > path.LastIndexOf('/') ? path[..dot] : path);
        if (server.FindAsset(publicId, resourceType) is not { } asset)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await Results.File(asset.Path, FakeCloudinaryFormats.ContentType(asset.Format), enableRangeProcessing: true).ExecuteAsync(context);
    }
}
