using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.DeleteVideo;

/// <summary>
/// Deletes in one transaction: the deletion and one cleanup-scheduled event per stored file. The read
/// model flips to "deleted" in that same transaction, so the video is gone from get/list at once; the
/// provider files go later, through the cleanup outbox and its jobs.
/// </summary>
internal sealed class DeleteVideoEndpoint(IDocumentSession session, IDocumentStore store, TimeProvider clock) : EndpointWithoutRequest<Results<NoContent, ProblemHttpResult>>
{
    public override void Configure()
    {
        Delete("/api/videos/{id:guid}");
        Policies(StremoraPolicies.SignedInUser);
        Description(d => d
            .WithTags("Videos")
            .Problem(StatusCodes.Status401Unauthorized, "Not signed in.")
            .Problem(StatusCodes.Status403Forbidden, "Neither the owner nor an admin.")
            .Problem(StatusCodes.Status404NotFound, "No ready video with this id.")
            .Problem(StatusCodes.Status409Conflict, "The video changed concurrently; retry."));
        Summary(s => s.Summary = "Owner or admin: the video disappears at once; its stored files are removed by background jobs.");
    }

    public override async Task<Results<NoContent, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var video = await session.LoadAsync<VideoDetails>(id, ct);
        if (video is null || !video.IsVisibleTo(User))
        {
            return VideoProblems.NotFound(id);
        }

        var userId = User.UserId() ?? "";
        var isOwner = string.Equals(video.OwnerId, userId, StringComparison.Ordinal);
        if (!video.MayBeChangedBy(User))
        {
            return VideoProblems.Forbidden(id);
        }

        // Expected version: a concurrent delete (or the sweeper) cannot interleave with this one.
        if (!await session.TryAppendAsync(id, video.Version, Decide.Delete(video, userId, byAdmin: !isOwner, clock.GetUtcNow()), ct))
        {
            // Lost a race: if the winner deleted it, this caller sees what any later caller sees (404), not a 409 that says retry.
            await using var fresh = store.QuerySession();
            if (await fresh.LoadAsync<VideoDetails>(id, ct) is not { Status: VideoStatus.Ready })
            {
                return VideoProblems.NotFound(id);
            }

            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Video changed concurrently",
                detail: $"Video {id} changed while it was being deleted; fetch it again and retry.");
        }

        return TypedResults.NoContent();
    }
}
