using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos;

/// <summary>Problems every slice answers the same way.</summary>
internal static class VideoProblems
{
    public static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Video not found", detail: $"There is no video with id {id}.");

    public static ProblemHttpResult Forbidden(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your video", detail: $"Only the owner of video {id} or an admin may do this.");

    /// <summary>
    /// What every change checks before it decides: 404 unless the caller sees the video, 403 unless they may change
    /// it, 412 when <c>If-Match</c> names another version.
    /// </summary>
    /// <returns>True (with the problem to answer) when the change may not go ahead.</returns>
    public static bool RefusesChange(HttpContext http, Guid id, [NotNullWhen(false)] VideoDetails? video, [NotNullWhen(true)] out ProblemHttpResult? problem)
    {
        ArgumentNullException.ThrowIfNull(http);
        var ifMatch = http.Request.Headers.IfMatch;
        problem = RefusesCaller(http, id, video, out var refused) ? refused
            : ifMatch.Count > 0 && !VideoETag.Matches(ifMatch, video.Version) ? Stale(http, id, video)
            : null;
        return problem is not null;
    }

    /// <summary>The first two checks of <see cref="RefusesChange"/>: 404 unless the caller sees the video, 403 unless they may change it.</summary>
    public static bool RefusesCaller(HttpContext http, Guid id, [NotNullWhen(false)] VideoDetails? video, [NotNullWhen(true)] out ProblemHttpResult? problem)
    {
        ArgumentNullException.ThrowIfNull(http);
        problem = video is null || !video.IsVisibleTo(http.User) ? NotFound(id)
            : !video.MayBeChangedBy(http.User) ? Forbidden(id)
            : null;
        return problem is not null;
    }

    /// <summary>412: <c>If-Match</c> names a version the video has left; the response carries the current ETag.</summary>
    public static ProblemHttpResult Stale(HttpContext http, Guid id, VideoDetails current)
    {
        ArgumentNullException.ThrowIfNull(http);
        VideoETag.Set(http.Response, current);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status412PreconditionFailed,
            title: "Video changed",
            detail: $"If-Match {http.Request.Headers.IfMatch} no longer matches video {id}, now at {VideoETag.For(current.Version)}; nothing was changed. Fetch it again and retry.");
    }

    /// <summary>409: without If-Match a change is decided again from the latest version, but the video kept changing.</summary>
    public static ProblemHttpResult KeptChanging(Guid id, string what) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Video changed concurrently",
            detail: $"Video {id} kept changing while {what}; fetch it again and retry.");

    /// <summary>503: every provider failed to store <paramref name="what"/>; the problem lists each attempt.</summary>
    public static ProblemHttpResult StorageUnavailable(string what, IReadOnlyList<StorageAttempt> attempts) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Storage unavailable",
            detail: $"Every storage provider failed to store {what}: " + string.Join("; ", attempts.Select(a => $"{StorageKey.FileName(a.File)} on {a.Provider}: {a.Outcome}{(a.Error is null ? "" : " (" + a.Error + ")")}")),
            extensions: new Dictionary<string, object?>
            {
                ["attempts"] = attempts.Select(VideoAttemptResponse.For).ToArray(),
            });
}
