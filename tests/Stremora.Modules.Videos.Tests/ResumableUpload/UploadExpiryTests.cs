using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Videos.AbandonedUploads;
using Stremora.Modules.Videos.ResumableUpload;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.ResumableUpload;

/// <summary>The expiration extension: an upload idle past Uploads:ExpireAfter (24 h by default) is 410, and the sweep removes its bytes and fails its video.</summary>
public sealed class UploadExpiryTests : IClassFixture<ExpiringUploadsApiFactory>
{
    private const string Owner = "tus-expiry-owner";
    private readonly ExpiringUploadsApiFactory _api;

    public UploadExpiryTests(ExpiringUploadsApiFactory api)
    {
        _api = api;
        // Each test starts on the wall clock: the host is shared, the shift of an earlier test is not.
        api.Clock.Shift = TimeSpan.Zero;
    }

    [Fact]
    public async Task An_idle_upload_expires_to_410_and_the_sweep_removes_its_bytes_and_fails_the_video()
    {
        using var client = _api.TusClient(Owner);
        var video = Samples.Mp4(4096);
        var location = await client.CreateValidAsync(video.Length, "Left idle");
        await client.PatchAcceptedAsync(location, 0, video[..1024]);

        using (var head = await client.HeadAsync(location))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        // A day and a minute later, nothing having arrived meanwhile.
        _api.Clock.Shift = TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1);
        using (var head = await client.HeadAsync(location))
        {
            Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        }

        using (var late = await client.PatchAsync(location, 1024, video[1024..]))
        {
            await late.AssertProblemAsync(HttpStatusCode.Gone);
        }

        Assert.Single(_api.StagedFiles());
        var expired = await _api.Services.GetRequiredService<ExpiredUploadSweepJob>().RunAsync(CancellationToken.None);

        Assert.Equal(1, expired);
        Assert.Empty(_api.StagedFiles());
        var failed = await client.VideoAsync(TusHttp.IdOf(location));
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        using var after = await client.HeadAsync(location);
        Assert.Equal(HttpStatusCode.Gone, after.StatusCode);
        Assert.Equal(0, await _api.Services.GetRequiredService<ExpiredUploadSweepJob>().RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_abandoned_upload_sweep_leaves_a_resumable_upload_alone_until_it_expires()
    {
        using var client = _api.TusClient(Owner);
        var video = Samples.Mp4(4096);
        var location = await client.CreateValidAsync(video.Length, "Resumed tomorrow");
        await client.PatchAcceptedAsync(location, 0, video[..1024]);

        // Past the sweep's 6 hours for a multipart upload, well within the day a resumable one has.
        _api.Clock.Shift = TimeSpan.FromHours(7);
        await _api.Services.GetRequiredService<AbandonedUploadSweepJob>().RunAsync(CancellationToken.None);

        using var head = await client.HeadAsync(location);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using var resumed = await client.PatchAsync(location, 1024, video[1024..]);
        Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
        Assert.Equal("ready", (await client.VideoAsync(TusHttp.IdOf(location))).GetProperty("status").GetString());
    }
}
