using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.GetVideo;

internal sealed class GetVideoEndpoint(IQuerySession session, IVideoStorage storage) : EndpointWithoutRequest<Results<Ok<VideoResponse>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Get("/api/videos/{id:guid}");
        AllowAnonymous();
        Description(d => d.WithTags("Videos").Problem(StatusCodes.Status404NotFound, "No ready video with this id (or an unpublished one of someone else)."));
        Summary(s => s.Summary = "A ready video with its files, providers and storage attempts; 404 for unknown, failed or deleted videos and for someone else's unpublished one. The ETag is the version to send as If-Match.");
    }

    public override async Task<Results<Ok<VideoResponse>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var video = await session.LoadAsync<VideoDetails>(id, ct);
        if (video is null || !video.IsShownTo(User))
        {
            return VideoProblems.NotFound(id);
        }

        VideoETag.Set(HttpContext.Response, video);
        return TypedResults.Ok(await VideoResponse.FromAsync(video, storage, ct));
    }
}
