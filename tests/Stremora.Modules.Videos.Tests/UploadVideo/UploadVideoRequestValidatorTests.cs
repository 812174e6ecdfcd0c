using Stremora.Modules.Videos.UploadVideo;

namespace Stremora.Modules.Videos.Tests.UploadVideo;

public sealed class UploadVideoRequestValidatorTests
{
    private static readonly UploadVideoRequest.Validator Validator = new();

    private static UploadVideoRequest Valid() => new() { Title = "Title", Description = "", Video = new UploadedFile("video/mp4", 10) };

    [Fact]
    public void A_complete_form_is_valid()
    {
        Assert.True(Validator.Validate(Valid()).IsValid);
    }

    [Theory]
    [InlineData(null, "title is required.")]
    [InlineData("", "title is required.")]
    [InlineData("   ", "title is required.")]
    public void Title_is_required(string? title, string message)
    {
        var form = Valid();
        form.Title = title;
        Assert.Equal([message], Validator.Validate(form).Errors.Select(e => e.ErrorMessage));
    }

    [Fact]
    public void Title_may_be_200_characters_but_not_201()
    {
        var form = Valid();
        form.Title = new string('x', 200);
        Assert.True(Validator.Validate(form).IsValid);
        form.Title = new string('x', 201);
        Assert.Equal(["title must be at most 200 characters."], Validator.Validate(form).Errors.Select(e => e.ErrorMessage));
    }

    [Fact]
    public void Description_may_be_5000_characters_but_not_5001()
    {
        var form = Valid();
        form.Description = new string('d', 5000);
        Assert.True(Validator.Validate(form).IsValid);
        form.Description = new string('d', 5001);
        Assert.Equal(["description must be at most 5000 characters."], Validator.Validate(form).Errors.Select(e => e.ErrorMessage));
    }

    [Fact]
    public void Video_is_required_and_may_not_be_empty()
    {
        var form = Valid();
        form.Video = null;
        // Property names are compared case-insensitively: a started host switches FluentValidation's global naming to camelCase.
        Assert.Equal(["video"], Validator.Validate(form).Errors.Select(e => e.PropertyName.ToLowerInvariant()));
        form.Video = new UploadedFile("", 0);
        Assert.Equal([("video", "video is empty.")], Validator.Validate(form).Errors.Select(e => (e.PropertyName.ToLowerInvariant(), e.ErrorMessage)));
    }

    [Fact]
    public void An_empty_thumbnail_is_invalid_a_missing_one_is_fine()
    {
        var form = Valid();
        Assert.True(Validator.Validate(form).IsValid);
        form.Thumbnail = new UploadedFile("", 0);
        Assert.Equal(["thumbnail is empty."], Validator.Validate(form).Errors.Select(e => e.ErrorMessage));
    }
}
