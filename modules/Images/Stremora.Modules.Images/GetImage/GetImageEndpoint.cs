using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images.GetImage;

internal sealed class GetImageEndpoint(IQuerySession session, IVideoStorage storage) : EndpointWithoutRequest<Results<Ok<ImageResponse>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Get("/api/images/{id:guid}");
        AllowAnonymous();
        Description(d => d.WithTags("Images").ProducesProblem(StatusCodes.Status404NotFound));
        Summary(s => s.Summary = "An avatar or cover with its file, provider and storage attempts; 404 for unknown or deleted images.");
    }

    public override async Task<Results<Ok<ImageResponse>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var image = await session.LoadAsync<ImageDetails>(id, ct);
        return image is not { Status: ImageStatuses.Ready }
            ? ImageProblems.NotFound(id)
            : TypedResults.Ok(await ImageResponse.FromAsync(image, storage, ct));
    }
}
