using System.Text.Json.Serialization;
using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Stremora.Modules.Storage.Contracts;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.ListVideos;

/// <param name="Page">The page number when the request paged by <c>page</c>; absent when it followed a cursor.</param>
/// <param name="Total">
/// How many videos match, counted when the first page was answered: pages after a cursor repeat that figure, so a
/// video added or removed during a walk does not change it (ask the first page again for a current count).
/// </param>
/// <param name="NextCursor">Hand it back as <c>cursor</c> for the next page; null on the last page.</param>
internal sealed record ListVideosResponse(
    IReadOnlyList<VideoResponse> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Page,
    int PageSize,
    long Total,
    string? NextCursor);

internal sealed class ListVideosEndpoint(IQuerySession session, IVideoStorage storage) : Endpoint<ListVideosRequest, Ok<ListVideosResponse>>
{
    public override void Configure()
    {
        Get("/api/videos");
        AllowAnonymous();
        Description(d => d
            .WithTags("Videos")
            .ClearDefaultAccepts()
            .QueryParameter("q", JsonSchemaType.String, "Words to find in the title or the description (full-text, English stemming; web-search syntax: \"quoted phrase\", or, -not).")
            .QueryParameter("sort", JsonSchemaType.String, "newest (default), oldest, title (A-Z) or duration (shortest first; videos without one last).", ListSorts.Newest)
            .QueryParameter("ownerId", JsonSchemaType.String, "Only this owner's videos (the sub claim).")
            .QueryParameter("pageSize", JsonSchemaType.Integer, $"Items per page, 1 to {ListVideosRequest.MaxPageSize}.", ListVideosRequest.DefaultPageSize)
            .QueryParameter("cursor", JsonSchemaType.String, "The nextCursor of the previous page (opaque). It carries the walk's total: every page of a walk answers the total its first page counted.")
            .QueryParameter("page", JsonSchemaType.Integer, $"Legacy offset paging, from 1; page * pageSize at most {ListVideosRequest.MaxOffsetDepth}.", 1)
            .Problem(StatusCodes.Status400BadRequest, "Invalid paging, sort, query or cursor.")
            .WithDescription("total is how many videos match, counted when the first page (no cursor) is answered; every page after its nextCursor repeats that figure, so videos added or removed during a walk do not change it. Request the first page again for a current count."));
        Summary(s => s.Summary = "Ready videos, searched and sorted, in keyset pages; unpublished ones only for their owner and admins.");
    }

    public override async Task<Ok<ListVideosResponse>> ExecuteAsync(ListVideosRequest req, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(req);
        var query = new VideoListQuery(session, req, User.UserId(), User.IsAdmin());
        // The validator has already refused a cursor that does not parse.
        var after = ListCursor.TryParse(req.Cursor, out var parsed) ? parsed : null;
        // Counted once per walk, on its first page: a cursor page repeats the figure instead of counting again.
        var total = after?.Total ?? await query.CountAsync(session, ct);
        var found = await query.PageAsync(session, after, after is null ? (req.Page - 1) * req.PageSize : 0, req.PageSize, ct);
        var page = found.Take(req.PageSize).ToList();

        string? next = null;
        if (found.Count > req.PageSize)
        {
            var last = page[^1];
            var duration = req.Sort == ListSorts.Duration ? await query.DurationOfAsync(session, last.Id, ct) : null;
            next = ListCursor.After(req.Sort, last, duration, total).Encode();
        }

        var items = new List<VideoResponse>(page.Count);
        foreach (var video in page)
        {
            items.Add(await VideoResponse.FromAsync(video, storage, ct));
        }

        return TypedResults.Ok(new ListVideosResponse(items, after is null ? req.Page : null, req.PageSize, total, next));
    }
}
