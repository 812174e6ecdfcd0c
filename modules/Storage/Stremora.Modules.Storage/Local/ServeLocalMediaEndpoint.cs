using FastEndpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace Stremora.Modules.Storage.Local;

/// <summary>
/// Serves local-disk files to browsers with HTTP Range support (video players seek), the content type
/// from the extension the provider chose. Anything that is not one of our locators is a 404.
/// These are user-uploaded bytes on our own origin, so every answer (200, 206, 404, 416) forbids
/// content sniffing and, should a browser open one as a document, loading or running anything but the
/// media itself. A page's <c>&lt;video src&gt;</c> is not governed by the media response's own CSP.
/// </summary>
internal sealed class ServeLocalMediaEndpoint(LocalDiskProvider provider) : EndpointWithoutRequest
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    // No 'sandbox': it gives the browser's own media document an opaque origin, and Chromium then refuses to
    // load the video into it (CORS from origin 'null'): a video opened directly in a tab would not play.
    // default-src 'none' already stops scripts, styles, frames and forms in anything opened as a document.
    internal const string ContentSecurityPolicy = "default-src 'none'; media-src 'self'";

    public override void Configure()
    {
        Get("/media/{**locator}");
        AllowAnonymous();

        // A file route for browsers and video players, not part of the JSON API.
        Description(d => d.ExcludeFromDescription());
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var headers = HttpContext.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;

        var locator = Route<string>("locator", isRequired: false);
        if (!LocalPaths.TryResolve(provider.Root, locator, out var path) || !File.Exists(path))
        {
            await Send.ResultAsync(TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: "No such media file."));
            return;
        }

        var contentType = ContentTypes.TryGetContentType(path, out var known) ? known : "application/octet-stream";
        await Send.ResultAsync(TypedResults.PhysicalFile(path, contentType, enableRangeProcessing: true));
    }
}
