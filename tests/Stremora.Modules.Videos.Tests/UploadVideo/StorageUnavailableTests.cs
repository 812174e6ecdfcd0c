using System.Net;
using Marten;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.GetVideo;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.UploadVideo;

/// <summary>A host whose only provider (local disk) cannot write: its root sits under a regular file.</summary>
public sealed class BrokenStorageApiFactory : IAsyncLifetime
{
    public VideosApiFactory Api { get; } = new();

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        var blocker = Path.Combine(Api.WorkDirectory, "not-a-directory");
        await File.WriteAllTextAsync(blocker, "a file where the storage root's parent should be");
        Api.With("Storage:Local:Root", Path.Combine(blocker, "media"));
    }

    public Task DisposeAsync() => Api.DisposeAsync();
}

public sealed class StorageUnavailableTests(BrokenStorageApiFactory broken) : IClassFixture<BrokenStorageApiFactory>
{
    [Fact]
    public async Task When_every_provider_fails_the_upload_is_503_listing_each_attempt_and_nothing_is_kept()
    {
        const string owner = "storage-down-owner";
        using var client = broken.Api.ClientFor(owner);

        using var response = await client.UploadAsync(UploadForm.Valid("Nowhere to go"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        var attempts = problem.GetProperty("attempts").EnumerateArray().ToList();
        Assert.NotEmpty(attempts);
        Assert.All(attempts, a => Assert.NotEqual("stored", a.GetProperty("outcome").GetString()));
        Scrub.Json(problem.GetRawText()).MatchSnapshot(SnapshotNameExtension.Create("problem"));

        // Recorded as a failed upload with its attempts, never served.
        await using var session = broken.Api.Store.QuerySession();
        var videos = await session.Query<VideoDetails>().Where(v => v.OwnerId == owner).ToListAsync();
        var video = Assert.Single(videos);
        Assert.Equal(VideoStatus.Failed, video.Status);
        Assert.Equal(attempts.Count, video.Attempts.Count);
        var (status, _) = await broken.Api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{video.Id}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Empty(broken.Api.SpoolFiles());
    }
}
