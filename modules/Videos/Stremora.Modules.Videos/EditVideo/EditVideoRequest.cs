using FastEndpoints;
using FluentValidation;

namespace Stremora.Modules.Videos.EditVideo;

/// <summary>A partial change: absent (or null) fields stay as they are.</summary>
internal sealed class EditVideoRequest
{
    public string? Title { get; set; }

    public string? Description { get; set; }

    public bool? Published { get; set; }

    internal sealed class Validator : Validator<EditVideoRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Title).ValidTitle().When(r => r.Title is not null);
            RuleFor(r => r.Description).ValidDescription();
        }
    }
}
