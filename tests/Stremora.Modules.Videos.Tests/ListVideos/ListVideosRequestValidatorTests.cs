using Stremora.Modules.Videos.ListVideos;

namespace Stremora.Modules.Videos.Tests.ListVideos;

public sealed class ListVideosRequestValidatorTests
{
    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(1, 100, true)]
    [InlineData(500, 20, true)]
    [InlineData(100, 100, true)]
    [InlineData(501, 20, false)]
    [InlineData(101, 100, false)]
    [InlineData(0, 20, false)]
    [InlineData(-1, 20, false)]
    [InlineData(1, 0, false)]
    [InlineData(1, 101, false)]
    public void Paging_is_bounded_and_page_goes_at_most_ten_thousand_items_deep(int page, int pageSize, bool valid)
    {
        var result = new ListVideosRequest.Validator().Validate(new ListVideosRequest { Page = page, PageSize = pageSize });
        Assert.Equal(valid, result.IsValid);
    }

    [Theory]
    [InlineData("newest", true)]
    [InlineData("oldest", true)]
    [InlineData("title", true)]
    [InlineData("duration", true)]
    [InlineData("rating", false)]
    public void Sort_is_one_of_the_four(string sort, bool valid)
    {
        var result = new ListVideosRequest.Validator().Validate(new ListVideosRequest { Sort = sort });
        Assert.Equal(valid, result.IsValid);
    }

    [Fact]
    public void A_cursor_is_accepted_only_for_the_sort_it_was_given_for_and_never_with_a_page()
    {
        var cursor = new ListCursor(ListSorts.Title, "Abc", null, Guid.CreateVersion7(), 12).Encode();

        Assert.True(new ListVideosRequest.Validator().Validate(new ListVideosRequest { Sort = ListSorts.Title, Cursor = cursor }).IsValid);
        Assert.False(new ListVideosRequest.Validator().Validate(new ListVideosRequest { Sort = ListSorts.Newest, Cursor = cursor }).IsValid);
        Assert.False(new ListVideosRequest.Validator().Validate(new ListVideosRequest { Sort = ListSorts.Title, Cursor = cursor, Page = 2 }).IsValid);
        Assert.False(new ListVideosRequest.Validator().Validate(new ListVideosRequest { Cursor = "not-a-cursor" }).IsValid);
    }
}
