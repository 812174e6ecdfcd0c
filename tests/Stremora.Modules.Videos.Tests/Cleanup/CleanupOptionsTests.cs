using Stremora.Modules.Videos.Cleanup;

namespace Stremora.Modules.Videos.Tests.Cleanup;

public sealed class CleanupOptionsTests
{
    [Fact]
    public void Retry_delays_double_up_to_the_cap()
    {
        var options = new CleanupOptions { RetryDelaySeconds = 30, MaxRetryDelaySeconds = 200 };
        Assert.Equal([30d, 60d, 120d, 200d, 200d], new[] { 1, 2, 3, 4, 5 }.Select(a => options.DelayAfter(a).TotalSeconds));
    }
}
