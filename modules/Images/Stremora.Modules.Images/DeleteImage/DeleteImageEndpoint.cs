using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.SharedKernel;

namespace Stremora.Modules.Images.DeleteImage;

/// <summary>
/// Deletes in one transaction: the deletion and the file's cleanup-scheduled event (the outbox). The image is gone
/// from get/list at once; the provider's copy goes later, through the cleanup job.
/// </summary>
internal sealed class DeleteImageEndpoint(IDocumentSession session, IDocumentStore store, TimeProvider clock) : EndpointWithoutRequest<Results<NoContent, ProblemHttpResult>>
{
    public override void Configure()
    {
        Delete("/api/images/{id:guid}");
        Policies(StremoraPolicies.SignedInUser);
        Description(d => d
            .WithTags("Images")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict));
        Summary(s => s.Summary = "Owner or admin: the image disappears at once; its stored file is removed by a background job.");
    }

    public override async Task<Results<NoContent, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var image = await session.LoadAsync<ImageDetails>(id, ct);
        if (image is not { Status: ImageStatuses.Ready })
        {
            return ImageProblems.NotFound(id);
        }

        var userId = User.UserId() ?? "";
        var isOwner = string.Equals(image.OwnerId, userId, StringComparison.Ordinal);
        if (!isOwner && !User.IsAdmin())
        {
            return ImageProblems.Forbidden(id);
        }

        if (!await session.TryAppendAsync(id, image.Version, Decide.Delete(image, userId, byAdmin: !isOwner, clock.GetUtcNow()), ct))
        {
            // Lost a race: if the winner deleted it, this caller sees what any later caller sees.
            await using var fresh = store.QuerySession();
            return await fresh.LoadAsync<ImageDetails>(id, ct) is not { Status: ImageStatuses.Ready }
                ? ImageProblems.NotFound(id)
                : ImageProblems.Problem(StatusCodes.Status409Conflict, "Image changed concurrently", $"Image {id} changed while it was being deleted; retry.");
        }

        return TypedResults.NoContent();
    }
}
