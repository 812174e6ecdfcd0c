using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images.ListImages;

internal sealed class ListImagesRequest
{
    /// <summary>Only this user's images.</summary>
    [QueryParam]
    public string? OwnerId { get; set; }

    /// <summary><c>avatar</c> or <c>cover</c>: only images of this kind.</summary>
    [QueryParam]
    public string? Kind { get; set; }
}

internal sealed record ImageListResponse(IReadOnlyList<ImageResponse> Items, int Total);

internal static class ListImagesDocs
{
    /// <summary>FastEndpoints binds the query itself; the OpenAPI document learns of the parameters here.</summary>
    public static RouteHandlerBuilder ImageQueryParameter(this RouteHandlerBuilder builder, string name, string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Query, Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            return Task.CompletedTask;
        });
}

/// <summary>Served images, newest first, filtered by owner and kind; at most <see cref="MaxItems"/> (a user has few avatars and covers).</summary>
internal sealed class ListImagesEndpoint(IQuerySession session, IVideoStorage storage) : Endpoint<ListImagesRequest, Results<Ok<ImageListResponse>, ProblemHttpResult>>
{
    public const int MaxItems = 100;

    public override void Configure()
    {
        Get("/api/images");
        AllowAnonymous();
        Description(d => d
            .WithTags("Images")
            .ClearDefaultAccepts()
            .ImageQueryParameter("ownerId", "Only this owner's images (the sub claim).")
            .ImageQueryParameter("kind", "avatar or cover: only images of this kind.")
            .ProducesProblem(StatusCodes.Status400BadRequest));
        Summary(s => s.Summary = $"Avatars and covers newest first, by ownerId and kind (avatar | cover); at most {MaxItems}, total counts all that match.");
    }

    public override async Task<Results<Ok<ImageListResponse>, ProblemHttpResult>> ExecuteAsync(ListImagesRequest req, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(req);
        if (req.Kind is not null && !ImageKinds.IsKnown(req.Kind))
        {
            return ImageProblems.Problem(StatusCodes.Status400BadRequest, "Invalid kind", $"kind must be '{ImageKinds.Avatar}' or '{ImageKinds.Cover}' (got '{req.Kind}').");
        }

        var query = session.Query<ImageDetails>().Where(i => i.Status == ImageStatuses.Ready);
        if (!string.IsNullOrEmpty(req.OwnerId))
        {
            query = query.Where(i => i.OwnerId == req.OwnerId);
        }

        if (req.Kind is not null)
        {
            query = query.Where(i => i.Kind == req.Kind);
        }

        var total = await query.CountAsync(ct);
        var page = await query.OrderByDescending(i => i.CreatedAt).Take(MaxItems).ToListAsync(ct);
        var items = new List<ImageResponse>(page.Count);
        foreach (var image in page)
        {
            items.Add(await ImageResponse.FromAsync(image, storage, ct));
        }

        return TypedResults.Ok(new ImageListResponse(items, total));
    }
}
