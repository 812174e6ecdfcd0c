using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Stremora.Modules.Videos.GetVideo;

/// <summary>The read model of one video, kept by Marten.</summary>
internal sealed record VideoDetails(Guid Id, string Title, string Description, string OwnerId, string Status, DateTimeOffset CreatedAt);

internal sealed class GetVideoEndpoint(IQuerySession session) : EndpointWithoutRequest<Results<Ok<VideoDetails>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Get("/api/videos/{id:guid}");
        AllowAnonymous();
        Description(d => d.WithTags("Videos"));
    }

    public override async Task<Results<Ok<VideoDetails>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var video = await session.LoadAsync<VideoDetails>(id, ct);
        return video is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Video not found", detail: $"There is no video with id {id}.")
            : TypedResults.Ok(video);
    }
}
