using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Stremora.Modules.Videos;

/// <summary>Problems every slice answers the same way.</summary>
internal static class VideoProblems
{
    public static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Video not found", detail: $"There is no video with id {id}.");

    public static ProblemHttpResult Forbidden(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your video", detail: $"Only the owner of video {id} or an admin may do this.");
}
