using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.Modules.Storage.Contracts;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.EditVideo;

/// <summary>
/// Changes the title, the description or whether the video is published. With <c>If-Match</c> the change applies
/// only to the version the client saw (412 otherwise, nothing changed); without it, to the latest version.
/// </summary>
internal sealed class EditVideoEndpoint(IDocumentStore store, IVideoStorage storage, TimeProvider clock)
    : Endpoint<EditVideoRequest, Results<Ok<VideoResponse>, ProblemHttpResult>>
{
    // Without If-Match a concurrent change is not the client's concern: decide again from the new version.
    private const int MaxTries = 3;

    public override void Configure()
    {
        Patch("/api/videos/{id:guid}");
        Policies(StremoraPolicies.SignedInUser);
        Description(d => d
            .WithTags("Videos")
            .HeaderParameter("If-Match", "The ETag of the version the change was decided from; 412 when the video has changed since.")
            .Problem(StatusCodes.Status400BadRequest, "Invalid fields (the rules of the upload).")
            .Problem(StatusCodes.Status401Unauthorized, "Not signed in.")
            .Problem(StatusCodes.Status403Forbidden, "Neither the owner nor an admin.")
            .Problem(StatusCodes.Status404NotFound, "No ready video with this id.")
            .Problem(StatusCodes.Status409Conflict, "The video kept changing concurrently; retry.")
            .Problem(StatusCodes.Status412PreconditionFailed, "If-Match names an older version; nothing changed."));
        Summary(s => s.Summary = "Owner or admin: change the title, the description or whether the video is published; absent fields stay.");
    }

    public override async Task<Results<Ok<VideoResponse>, ProblemHttpResult>> ExecuteAsync(EditVideoRequest req, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(req);
        var id = Route<Guid>("id");
        var ifMatch = HttpContext.Request.Headers.IfMatch;
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var video = await session.LoadAsync<VideoDetails>(id, ct);
            if (VideoProblems.RefusesChange(HttpContext, id, video, out var refused))
            {
                return refused;
            }

            var events = Decide.Edit(video, req.Title, req.Description, req.Published, User.UserId() ?? "", clock.GetUtcNow());
            if (events.Count == 0 || await session.TryAppendAsync(id, video.Version, events, ct))
            {
                await using var fresh = store.QuerySession();
                var changed = events.Count == 0 ? video : await fresh.LoadAsync<VideoDetails>(id, ct) ?? video;
                VideoETag.Set(HttpContext.Response, changed);
                return TypedResults.Ok(await VideoResponse.FromAsync(changed, storage, ct));
            }

            if (ifMatch.Count > 0)
            {
                // The version the client named was current a moment ago and is not any more.
                await using var fresh = store.QuerySession();
                return VideoProblems.Stale(HttpContext, id, await fresh.LoadAsync<VideoDetails>(id, ct) ?? video);
            }

            if (attempt == MaxTries)
            {
                return VideoProblems.KeptChanging(id, "it was being edited");
            }
        }
    }
}
