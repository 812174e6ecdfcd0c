using FastEndpoints;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Stremora.Modules.Storage.Contracts;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.ListVideos;

internal sealed class ListVideosRequest
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
    public const int MaxPage = 1_000_000;

    [QueryParam]
    public string? OwnerId { get; set; }

    [QueryParam]
    public int Page { get; set; } = 1;

    [QueryParam]
    public int PageSize { get; set; } = DefaultPageSize;

    internal sealed class Validator : Validator<ListVideosRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Page).InclusiveBetween(1, MaxPage).WithMessage($"page must be between 1 and {MaxPage}.");
            RuleFor(r => r.PageSize).InclusiveBetween(1, MaxPageSize).WithMessage($"pageSize must be between 1 and {MaxPageSize}.");
            RuleFor(r => r.OwnerId).MaximumLength(256);
        }
    }
}

internal sealed record ListVideosResponse(IReadOnlyList<VideoResponse> Items, int Page, int PageSize, long Total);

internal sealed class ListVideosEndpoint(IQuerySession session, IVideoStorage storage) : Endpoint<ListVideosRequest, Ok<ListVideosResponse>>
{
    public override void Configure()
    {
        Get("/api/videos");
        AllowAnonymous();
        Description(d => d
            .WithTags("Videos")
            .ClearDefaultAccepts()
            .QueryParameter("ownerId", JsonSchemaType.String, "Only this owner's videos (the sub claim).")
            .QueryParameter("page", JsonSchemaType.Integer, "Page number, from 1.", 1)
            .QueryParameter("pageSize", JsonSchemaType.Integer, $"Items per page, 1 to {ListVideosRequest.MaxPageSize}.", ListVideosRequest.DefaultPageSize)
            .Problem(StatusCodes.Status400BadRequest, "Invalid paging."));
        Summary(s => s.Summary = "Ready videos, newest first, optionally only one owner's; unpublished ones only for their owner and admins.");
    }

    public override async Task<Ok<ListVideosResponse>> ExecuteAsync(ListVideosRequest req, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(req);
        var query = session.Query<VideoDetails>().Where(v => v.Status == VideoStatuses.Ready);
        if (!User.IsAdmin())
        {
            // Unpublished videos are listed for their owner (and admins) only.
            var userId = User.UserId() ?? "";
            query = query.Where(v => v.Published || v.OwnerId == userId);
        }
        if (!string.IsNullOrEmpty(req.OwnerId))
        {
            query = query.Where(v => v.OwnerId == req.OwnerId);
        }

        var total = await query.CountAsync(ct);
        // Ids are UUID v7 (time-ordered): the tie-breaker keeps pages stable when two videos share a timestamp.
        var page = await query
            .OrderByDescending(v => v.CreatedAt)
            .ThenByDescending(v => v.Id)
            .Skip((req.Page - 1) * req.PageSize)
            .Take(req.PageSize)
            .ToListAsync(ct);

        var items = new List<VideoResponse>(page.Count);
        foreach (var video in page)
        {
            items.Add(await VideoResponse.FromAsync(video, storage, ct));
        }

        return TypedResults.Ok(new ListVideosResponse(items, req.Page, req.PageSize, total));
    }
}
