using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Stremora.Modules.Images;

/// <summary>Problems every slice answers the same way.</summary>
internal static class ImageProblems
{
    public static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Image not found", detail: $"There is no image with id {id}.");

    public static ProblemHttpResult Forbidden(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your image", detail: $"Only the owner of image {id} or an admin may do this.");

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
