using Stremora.Modules.Videos.ListVideos;

namespace Stremora.Modules.Videos.Tests.ListVideos;

public sealed class ListVideosRequestValidatorTests
{
    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(1, 100, true)]
    [InlineData(1_000_000, 20, true)]
    [InlineData(0, 20, false)]
    [InlineData(-1, 20, false)]
    [InlineData(1_000_001, 20, false)]
    [InlineData(1, 0, false)]
    [InlineData(1, 101, false)]
    public void Paging_is_bounded(int page, int pageSize, bool valid)
    {
        var result = new ListVideosRequest.Validator().Validate(new ListVideosRequest { Page = page, PageSize = pageSize });
        Assert.Equal(valid, result.IsValid);
    }
}
