using FluentValidation;
using FluentValidation.Results;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>A file part as far as it has been read: the sniffed type and how many bytes arrived.</summary>
internal sealed record UploadedFile(string ContentType, long Bytes);

/// <summary>
/// The upload form, filled while the multipart body streams by (the files themselves never sit here:
/// they go straight to storage). Validated twice: the text fields as soon as a file starts (fail fast,
/// nothing stored yet), the whole form once the body has ended.
/// </summary>
internal sealed class UploadVideoRequest
{
    public string? Title { get; set; }

    public string? Description { get; set; }

    public UploadedFile? Video { get; set; }

    public UploadedFile? Thumbnail { get; set; }

    private static readonly Validator Rules = new();

    /// <summary>The whole form, once the body has ended.</summary>
    public ValidationResult Validate() => Rules.Validate(this);

    /// <summary>The text fields that have arrived so far (checked before the first file is stored).</summary>
    public ValidationResult ValidateArrivedFields()
    {
        var verdict = Rules.Validate(this);
        // Case-insensitive: FastEndpoints makes FluentValidation report property names in camelCase ("title").
        verdict.Errors.RemoveAll(e => !(string.Equals(e.PropertyName, nameof(Title), StringComparison.OrdinalIgnoreCase) && Title is not null)
                                      && !(string.Equals(e.PropertyName, nameof(Description), StringComparison.OrdinalIgnoreCase) && Description is not null));
        return verdict;
    }

    /// <summary>A file part that turned out empty: recorded as such, and the validator's verdict on that part alone.</summary>
    public ValidationResult ValidateEmptyFile(StoredFileKind kind)
    {
        if (kind == StoredFileKind.Video)
        {
            Video = new UploadedFile("", 0);
        }
        else
        {
            Thumbnail = new UploadedFile("", 0);
        }

        var verdict = Rules.Validate(this);
        verdict.Errors.RemoveAll(e => e.PropertyName != StorageKey.FileName(kind));
        return verdict;
    }

    internal sealed class Validator : AbstractValidator<UploadVideoRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Title).ValidTitle();
            RuleFor(r => r.Description).ValidDescription();
            RuleFor(r => r.Video)
                .NotNull().WithMessage("video is required: send it as a file part named 'video'.");
            RuleFor(r => r.Video!.Bytes)
                .GreaterThan(0).WithMessage("video is empty.")
                .OverridePropertyName("video")
                .When(r => r.Video is not null);
            RuleFor(r => r.Thumbnail!.Bytes)
                .GreaterThan(0).WithMessage("thumbnail is empty.")
                .OverridePropertyName("thumbnail")
                .When(r => r.Thumbnail is not null);
        }
    }
}
