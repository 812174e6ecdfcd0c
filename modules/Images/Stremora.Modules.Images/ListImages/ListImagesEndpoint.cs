using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images.ListImages;

/// <param name="OwnerId">Only this user's images.</param>
/// <param name="Kind"><c>avatar</c> or <c>cover</c>: only images of this kind.</param>
internal sealed record ListImagesRequest(string? OwnerId, string? Kind);

internal sealed record ImageListResponse(IReadOnlyList<ImageResponse> Items, int Total);

/// <summary>Served images, newest first, filtered by owner and kind; at most <see cref="MaxItems"/> (a user has few avatars and covers).</summary>
internal sealed class ListImagesEndpoint(IQuerySession session, IVideoStorage storage) : Endpoint<ListImagesRequest, Results<Ok<ImageListResponse>, ProblemHttpResult>>
{
    public const int MaxItems = 100;

    public override void Configure()
    {
        Get("/api/images");
        AllowAnonymous();
        Description(d => d.WithTags("Images").ProducesProblem(StatusCodes.Status400BadRequest));
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
