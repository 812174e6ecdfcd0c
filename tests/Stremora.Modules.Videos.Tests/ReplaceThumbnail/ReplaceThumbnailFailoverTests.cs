using System.Net;
using System.Text.Json;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Faults;

namespace Stremora.Modules.Videos.Tests.ReplaceThumbnail;

/// <summary>A new thumbnail goes through the failover chain; the old one goes only once the new one is recorded.</summary>
public sealed class ReplaceThumbnailFailoverTests : IClassFixture<ThumbnailFailoverApi>
{
    private static readonly string[] ThumbnailEvents = ["VideoThumbnailReplaced", "StoredFileCleanupScheduled", "StoredFileCleanedUp"];
    private readonly ThumbnailFailoverApi _chain;

    public ReplaceThumbnailFailoverTests(ThumbnailFailoverApi chain)
    {
        _chain = chain;
        _chain.Cloudinary.Faults.Clear();
        _chain.S3Proxy.Fault = TcpFault.None;
    }

    [Fact]
    public async Task Replace_with_cloudinary_failing_stores_on_s3_removes_the_old_one_from_cloudinary_and_the_history_shows_both()
    {
        using var owner = _chain.Api.ClientFor("thumb-failover-owner");
        var video = await owner.UploadWithThumbnailAsync("Poster on Cloudinary");
        var id = video.Id();
        Assert.Equal("cloudinary", video.Provider("thumbnail"));
        var oldLocator = video.Locator("thumbnail");
        var image = Samples.Jpeg(3000, seed: 21);

        _chain.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        HttpResponseMessage response;
        try
        {
            response = await owner.ReplaceThumbnailAsync(id, image, ifMatch: "\"5\"");
        }
        finally
        {
            _chain.Cloudinary.Faults.Clear();
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("\"7\"", response.Headers.ETag?.Tag);
            var replaced = JsonDocument.Parse(body).RootElement;
            Assert.Equal("s3", replaced.Provider("thumbnail"));
            Assert.Equal(Samples.Sha256(image), replaced.GetProperty("thumbnail").GetProperty("sha256").GetString());
            Scrub.Json(MaintenanceApiFactory.ScrubUrls(body)).MatchSnapshot(SnapshotNameExtension.Create("response"));
        }

        // The old file leaves Cloudinary through the cleanup outbox; the new one is the only thumbnail left.
        await Eventually.UntilAsync(() => _chain.Cloudinary.FindAsset(oldLocator, "image") is null, "the old thumbnail is removed from Cloudinary");
        using var anyone = _chain.Api.CreateClient();
        var (_, got) = await anyone.SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        var served = JsonDocument.Parse(got).RootElement.GetProperty("thumbnail");
        Assert.Equal(image, await ThumbnailFailoverApi.DownloadAsync(served));
        Assert.Equal(["s3:" + served.GetProperty("locator").GetString()], await _chain.ThumbnailFilesAsync(id));

        var history = await MaintenanceApiFactory.HistoryWithAsync(owner, id, "StoredFileCleanedUp");
        var thumbnailHistory = history.EnumerateArray()
            .Where(e => ThumbnailEvents.Contains(e.GetProperty("type").GetString()) || e.GetProperty("data").TryGetProperty("file", out var file) && file.GetString() == "thumbnail")
            .ToList();
        Scrub.Json(MaintenanceApiFactory.ScrubUrls(JsonSerializer.Serialize(thumbnailHistory))).MatchSnapshot(SnapshotNameExtension.Create("history"));
    }

    [Fact]
    public async Task With_every_provider_down_replace_is_503_with_the_attempts_and_the_old_thumbnail_is_still_served()
    {
        using var owner = _chain.Api.ClientFor("thumb-down-owner");
        var video = await owner.UploadWithThumbnailAsync("Poster that stays");
        var id = video.Id();
        var before = await _chain.ThumbnailFilesAsync(id);

        _chain.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        _chain.S3Proxy.Fault = TcpFault.Refuse;
        HttpResponseMessage response;
        try
        {
            response = await owner.ReplaceThumbnailAsync(id, Samples.Jpeg(2000, seed: 22));
        }
        finally
        {
            _chain.Cloudinary.Faults.Clear();
            _chain.S3Proxy.Fault = TcpFault.None;
        }

        using (response)
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal(
                [("thumbnail", "cloudinary", "failed"), ("thumbnail", "s3", "failed")],
                problem.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("file").GetString(), a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString())));
        }

        using var anyone = _chain.Api.CreateClient();
        using var got = await anyone.GetAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
        Assert.Equal("\"5\"", got.Headers.ETag?.Tag);
        var thumbnail = JsonDocument.Parse(await got.Content.ReadAsStringAsync()).RootElement.GetProperty("thumbnail");
        Assert.Equal(video.GetProperty("thumbnail").GetProperty("locator").GetString(), thumbnail.GetProperty("locator").GetString());
        Assert.Equal(Samples.Jpeg(), await ThumbnailFailoverApi.DownloadAsync(thumbnail));
        Assert.Equal(before, await _chain.ThumbnailFilesAsync(id));
        Assert.Empty(_chain.Api.SpoolFiles());
    }

    [Fact]
    public async Task Concurrent_replaces_of_one_version_record_one_and_the_losers_leave_no_file_behind()
    {
        using var owner = _chain.Api.ClientFor("thumb-race-owner");
        var id = (await owner.UploadWithThumbnailAsync("Raced poster")).Id();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => owner.ReplaceThumbnailAsync(id, Samples.Jpeg(2000 + i, seed: (byte)(30 + i)), ifMatch: "\"5\"")));

        try
        {
            Assert.Equal(
                [HttpStatusCode.OK, HttpStatusCode.PreconditionFailed, HttpStatusCode.PreconditionFailed, HttpStatusCode.PreconditionFailed],
                responses.Select(r => r.StatusCode).Order());
            var winner = JsonDocument.Parse(await responses.Single(r => r.StatusCode == HttpStatusCode.OK).Content.ReadAsStringAsync()).RootElement;
            var expected = "cloudinary:" + winner.Locator("thumbnail");
            await Eventually.UntilAsync(
                async () => (await _chain.ThumbnailFilesAsync(id)) is [var only] && only == expected,
                "only the recorded replacement is left on the providers");
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }
}
