using FluentValidation;

namespace Stremora.Modules.Videos;

/// <summary>What a title and a description may be: the same rules at upload and at every edit.</summary>
internal static class VideoText
{
    public const int MaxTitleLength = 200;
    public const int MaxDescriptionLength = 5000;

    public static IRuleBuilderOptions<T, string?> ValidTitle<T>(this IRuleBuilder<T, string?> rule) => rule
        .NotEmpty().WithMessage("title is required.")
        .MaximumLength(MaxTitleLength).WithMessage($"title must be at most {MaxTitleLength} characters.")
        .Must(t => t is null || !t.Any(char.IsControl)).WithMessage("title must be one line of text without control characters.");

    public static IRuleBuilderOptions<T, string?> ValidDescription<T>(this IRuleBuilder<T, string?> rule) => rule
        .MaximumLength(MaxDescriptionLength).WithMessage($"description must be at most {MaxDescriptionLength} characters.")
        // Line breaks and tabs are text; other control characters (NUL above all, which PostgreSQL's jsonb refuses) are not.
        .Must(d => d is null || !d.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t'))).WithMessage("description must not contain control characters other than line breaks and tabs.");
}
