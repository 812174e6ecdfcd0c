using FastEndpoints;
using FluentValidation;

namespace Stremora.Modules.Videos.ListVideos;

internal static class ListSorts
{
    public const string Newest = "newest";
    public const string Oldest = "oldest";
    public const string Title = "title";
    public const string Duration = "duration";

    public static readonly string[] All = [Newest, Oldest, Title, Duration];
}

internal sealed class ListVideosRequest
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>How deep the legacy page parameter may go: an offset makes PostgreSQL walk every skipped row; the cursor does not.</summary>
    public const int MaxOffsetDepth = 10_000;

    public const int MaxQueryLength = 200;

    [QueryParam]
    public string? Q { get; set; }

    [QueryParam]
    public string Sort { get; set; } = ListSorts.Newest;

    [QueryParam]
    public string? OwnerId { get; set; }

    [QueryParam]
    public int Page { get; set; } = 1;

    [QueryParam]
    public int PageSize { get; set; } = DefaultPageSize;

    [QueryParam]
    public string? Cursor { get; set; }

    internal sealed class Validator : Validator<ListVideosRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Page).GreaterThanOrEqualTo(1).WithMessage("page must be 1 or more.");
            RuleFor(r => r.Page)
                .Must((r, page) => (long)page * r.PageSize <= MaxOffsetDepth)
                .WithMessage($"page * pageSize must be at most {MaxOffsetDepth}: to go deeper, follow nextCursor.")
                .When(r => r.Page >= 1 && r.PageSize is >= 1 and <= MaxPageSize);
            RuleFor(r => r.Page).Equal(1).WithMessage("send either page or cursor, not both.").When(r => r.Cursor is not null);
            RuleFor(r => r.PageSize).InclusiveBetween(1, MaxPageSize).WithMessage($"pageSize must be between 1 and {MaxPageSize}.");
            RuleFor(r => r.OwnerId).MaximumLength(256);
            RuleFor(r => r.Q).MaximumLength(MaxQueryLength).WithMessage($"q must be at most {MaxQueryLength} characters.");
            RuleFor(r => r.Sort).Must(s => ListSorts.All.Contains(s)).WithMessage($"sort must be one of {string.Join(", ", ListSorts.All)}.");
            RuleFor(r => r.Cursor)
                .Must((r, cursor) => ListCursor.TryParse(cursor, out var parsed) && parsed.Sort == r.Sort)
                .WithMessage("cursor is not one this list gave out for this sort; start again without it.")
                .When(r => r.Cursor is not null);
        }
    }
}
