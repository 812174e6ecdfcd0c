using FastEndpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Local;

/// <summary>
/// Serves local-disk files to browsers with HTTP Range support (video players seek), the content type
/// from the extension the provider chose. A file is served only while a module's catalog says it is live
/// (<see cref="ILiveFiles"/>): anything else (deleted, failed, replaced, unknown, not one of our locators) is a 404 at once,
/// whether or not its removal job has taken it off the disk yet.
/// These are user-uploaded bytes on our own origin, so every answer (200, 206, 404, 416) forbids
/// content sniffing and, should a browser open one as a document, loading or running anything but the
/// media itself. A page's <c>&lt;video src&gt;</c> is not governed by the media response's own CSP.
/// </summary>
internal sealed class ServeLocalMediaEndpoint(LocalDiskProvider provider, IEnumerable<ILiveFiles> modules) : EndpointWithoutRequest
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    // No 'sandbox': it gives the browser's own media document an opaque origin, and Chromium then refuses to
    // load the video into it (CORS from origin 'null'): a video opened directly in a tab would not play.
    // default-src 'none' already stops scripts, styles, frames and forms in anything opened as a document.
    internal const string ContentSecurityPolicy = "default-src 'none'; media-src 'self'";

    // No shared cache may keep a file (it would go on serving it after a delete); a browser must ask again before
    // reusing its copy, and that request meets the catalog check like any other.
    internal const string ServedCacheControl = "private, no-cache";

    // A 404 may turn into a file (an upload finishing) and must never be remembered.
    internal const string NotFoundCacheControl = "no-store";

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
        if (!LocalPaths.TryResolve(provider.Root, locator, out var path) || !await IsLiveAsync(locator!, ct) || !File.Exists(path))
        {
            headers.CacheControl = NotFoundCacheControl;
            await Send.ResultAsync(TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: "No such media file."));
            return;
        }

        headers.CacheControl = ServedCacheControl;
        var contentType = ContentTypes.TryGetContentType(path, out var known) ? known : "application/octet-stream";
        await Send.ResultAsync(TypedResults.PhysicalFile(path, contentType, enableRangeProcessing: true));
    }

    /// <summary>Asks the modules that recognise the locator: one primary-key load in the module that owns it.</summary>
    private async Task<bool> IsLiveAsync(string locator, CancellationToken ct)
    {
        foreach (var module in modules.Where(m => m.Recognises(locator)))
        {
            if (await module.ServesAsync(provider.Name, locator, ct))
            {
                return true;
            }
        }

        return false;
    }
}
