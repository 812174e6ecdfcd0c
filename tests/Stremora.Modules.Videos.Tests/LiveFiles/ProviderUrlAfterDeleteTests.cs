using System.Net;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.LiveFiles;

/// <summary>
/// A provider's URL cannot be withdrawn once handed out (an S3 presigned URL, Cloudinary's public secure_url): what bounds
/// it after a delete is the removal job, enqueued at once, taking the object away. The video itself is gone from the API
/// at once, so no new URL is handed out.
/// </summary>
[Collection(MaintenanceApiGroup.Name)]
public sealed class ProviderUrlAfterDeleteTests(MaintenanceApiFactory api)
{
    [Fact]
    public async Task A_presigned_s3_url_stops_working_once_the_deleted_videos_removal_has_run()
    {
        using var owner = api.ClientFor("presigned-delete-owner");
        var video = await api.UploadToFallbackAsync(owner, "On S3, then deleted", Samples.Mp4(3000, seed: 91));
        Assert.Equal("s3", video.Provider());

        await AssertUrlStopsWorkingAfterDeleteAsync(owner, video.Id(), video.GetProperty("video").GetProperty("url").GetString()!);
    }

    [Fact]
    public async Task A_cloudinary_url_stops_working_once_the_deleted_videos_removal_has_run()
    {
        using var owner = api.ClientFor("cloudinary-delete-owner");
        var video = await owner.UploadValidAsync("On Cloudinary, then deleted", Samples.Mp4(3000, seed: 93));
        Assert.Equal("cloudinary", video.Provider());

        await AssertUrlStopsWorkingAfterDeleteAsync(owner, video.Id(), video.GetProperty("video").GetProperty("url").GetString()!);
    }

    private async Task AssertUrlStopsWorkingAfterDeleteAsync(HttpClient owner, Guid id, string url)
    {
        using var browser = new HttpClient();
        using (var before = await browser.GetAsync(new Uri(url)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await owner.DeleteEventuallyAsync(id);

        var (status, _) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        await Eventually.UntilAsync(
            async () =>
            {
                using var after = await browser.GetAsync(new Uri(url));
                return !after.IsSuccessStatusCode;
            },
            $"{url} no longer serves the deleted video");
    }
}
