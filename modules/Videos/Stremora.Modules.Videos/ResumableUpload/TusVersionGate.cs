using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// First in the pipeline for <c>/api/uploads</c>: every response (401s and 404s too) says <c>Tus-Resumable: 1.0.0</c>,
/// and a request that speaks another version (or none) is answered 412 with the versions this server speaks.
/// OPTIONS is exempt: it is how a client finds the version out.
/// </summary>
internal sealed class TusVersionGate : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (!context.Request.Path.StartsWithSegments(Tus.Route, StringComparison.OrdinalIgnoreCase))
            {
                await nextMiddleware(context);
                return;
            }

            context.Response.OnStarting(() =>
            {
                context.Response.Headers[Tus.ResumableHeader] = Tus.Version;
                return Task.CompletedTask;
            });

            var version = context.Request.Headers[Tus.ResumableHeader].ToString();
            if (!HttpMethods.IsOptions(context.Request.Method) && version != Tus.Version)
            {
                context.Response.Headers[Tus.VersionHeader] = Tus.Version;
                await Tus.Problem(
                        StatusCodes.Status412PreconditionFailed,
                        "Unsupported tus version",
                        version.Length == 0
                            ? $"Send {Tus.ResumableHeader}: {Tus.Version} with every request but OPTIONS."
                            : $"This server speaks tus {Tus.Version}, not '{version}'.")
                    .ExecuteAsync(context);
                return;
            }

            await nextMiddleware(context);
        });
        next(app);
    };
}
