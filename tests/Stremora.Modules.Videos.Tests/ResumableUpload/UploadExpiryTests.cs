using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Videos.ResumableUpload;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.ResumableUpload;

/// <summary>The expiration extension: an upload idle past Uploads:ExpireAfter (24 h by default) is 410, and the sweep removes its bytes and fails its video.</summary>
public sealed class UploadExpiryTests(ExpiringUploadsApiFactory api) : IClassFixture<ExpiringUploadsApiFactory>
{
    private const string Owner = "tus-expiry-owner";

    [Fact]
    public async Task An_idle_upload_expires_to_410_and_the_sweep_removes_its_bytes_and_fails_the_video()
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(4096);
        var location = await client.CreateValidAsync(video.Length, "Left idle");
        using (var patched = await client.PatchAsync(location, 0, video[..1024]))
        {
            Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        }

        using (var head = await client.HeadAsync(location))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        // A day and a minute later, nothing having arrived meanwhile.
        api.Clock.Shift = TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1);
        using (var head = await client.HeadAsync(location))
        {
            Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        }

        using (var late = await client.PatchAsync(location, 1024, video[1024..]))
        {
            await late.AssertProblemAsync(HttpStatusCode.Gone);
        }

        Assert.Single(api.StagedFiles());
        var expired = await api.Services.GetRequiredService<ExpiredUploadSweepJob>().RunAsync(CancellationToken.None);

        Assert.Equal(1, expired);
        Assert.Empty(api.StagedFiles());
        var failed = await client.VideoAsync(TusHttp.IdOf(location));
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        using var after = await client.HeadAsync(location);
        Assert.Equal(HttpStatusCode.Gone, after.StatusCode);
        Assert.Equal(0, await api.Services.GetRequiredService<ExpiredUploadSweepJob>().RunAsync(CancellationToken.None));
    }
}
