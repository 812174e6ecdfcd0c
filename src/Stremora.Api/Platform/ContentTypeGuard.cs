using Microsoft.AspNetCore.Http.Metadata;

namespace Stremora.Api.Platform;

/// <summary>
/// A body-taking endpoint that declares what it accepts (e.g. the multipart upload) gets a request with no
/// Content-Type at all: answer 415 as problem+json here. Otherwise FastEndpoints answers it with a bare 415
/// (response already started, no body), the only error in the API that would not be RFC 9457.
/// </summary>
internal static class ContentTypeGuard
{
    public static WebApplication UseMissingContentTypeProblem(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var accepts = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>();
            if (accepts is { ContentTypes.Count: > 0 } && string.IsNullOrEmpty(context.Request.ContentType)
                && (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method)))
            {
                await Results.Problem(
                    statusCode: StatusCodes.Status415UnsupportedMediaType,
                    title: "Missing Content-Type",
                    detail: "Send the request body with one of these content types: " + string.Join(", ", accepts.ContentTypes) + ".")
                    .ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        return app;
    }
}
