using FastEndpoints;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.Modules.Videos.Cleanup;
using Stremora.Modules.Videos.GetVideo;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.DeleteVideo;

/// <summary>
/// Deletes in one transaction: the deletion and one cleanup-scheduled event per stored file. The read
/// model flips to "deleted" in that same transaction, so the video is gone from get/list at once; the
/// provider files go later, through <see cref="CleanupOutbox"/> and <see cref="StoredFileCleanupJob"/>.
/// </summary>
internal sealed class DeleteVideoEndpoint(IDocumentSession session, TimeProvider clock) : EndpointWithoutRequest<Results<NoContent, ProblemHttpResult>>
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
        if (video is not { Status: VideoStatuses.Ready })
        {
            return VideoProblems.NotFound(id);
        }

        var userId = User.UserId() ?? "";
        var isOwner = string.Equals(video.OwnerId, userId, StringComparison.Ordinal);
        if (!isOwner && !User.IsAdmin())
        {
            return VideoProblems.Forbidden(id);
        }

        List<object> events = [new VideoDeleted(userId, ByAdmin: !isOwner, clock.GetUtcNow())];
        events.AddRange(video.StoredFiles().Select(f => new StoredFileCleanupScheduled(f.File, f.Provider, f.Locator, f.ProviderUrl, "video deleted")));
        // Expected version: a concurrent delete (or the sweeper) cannot interleave with this one.
        session.Events.Append(id, video.Version + events.Count, [.. events]);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (StreamAppends.IsVersionConflict(e))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Video changed concurrently",
                detail: $"Video {id} changed while it was being deleted; fetch it again and retry.");
        }

        return TypedResults.NoContent();
    }
}
