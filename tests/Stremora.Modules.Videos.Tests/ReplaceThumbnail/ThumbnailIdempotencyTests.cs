using System.Net;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.ReplaceThumbnail;

/// <summary>A thumbnail replacement retried with the same Idempotency-Key stores one image and schedules one removal.</summary>
[Collection(VideosApiGroup.Name)]
public sealed class ThumbnailIdempotencyTests(VideosApiFactory api)
{
    [Fact]
    public async Task The_same_key_twice_replays_the_first_answer_and_stores_one_image()
    {
        using var owner = api.ClientFor("thumb-key-owner");
        var id = (await owner.UploadWithThumbnailAsync("Retried poster")).Id();
        var before = FilesOf(id);
        var image = Samples.Jpeg(1600, seed: 51);
        using var got = await owner.GetAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
        var etag = got.Headers.ETag!.Tag;

        // The retry carries the first request's If-Match too, which the first replacement made stale.
        using var first = await owner.ReplaceThumbnailAsync(id, image, ifMatch: etag, idempotencyKey: "poster-1");
        using var retry = await owner.ReplaceThumbnailAsync(id, image, ifMatch: etag, idempotencyKey: "poster-1");

        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.OK, firstBody);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Single(FilesOf(id).Except(before));
        Assert.Equal(1, await ReplacementsAsync(owner, id));
        Assert.Equal(1, await RemovalsAsync(owner, id));
    }

    [Fact]
    public async Task The_first_answer_is_the_video_as_its_replacement_left_it_so_a_retry_gets_the_same_body()
    {
        using var owner = api.ClientFor("thumb-key-later-change");
        var id = (await owner.UploadWithThumbnailAsync("Poster, then a change")).Id();
        api.ChangesAfterThumbnail.Add(id);
        var image = Samples.Jpeg(1700, seed: 55);

        using var first = await owner.ReplaceThumbnailAsync(id, image, idempotencyKey: "poster-then-change");
        using var retry = await owner.ReplaceThumbnailAsync(id, image, idempotencyKey: "poster-then-change");

        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.OK, firstBody);
        Assert.Equal("Poster, then a change", JsonDocument.Parse(firstBody).RootElement.GetProperty("title").GetString());
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        // The change did land, right after the replacement: the video now shows it.
        using var now = await owner.GetAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
        Assert.Equal(ChangeAfterThumbnailReplaced.Title, JsonDocument.Parse(await now.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Two_concurrent_retries_store_one_image()
    {
        using var owner = api.ClientFor("thumb-key-race");
        var id = (await owner.UploadWithThumbnailAsync("Raced poster")).Id();
        var before = FilesOf(id);
        var image = Samples.Jpeg(1800, seed: 52);

        var responses = await Task.WhenAll(
            owner.ReplaceThumbnailAsync(id, image, idempotencyKey: "poster-race"),
            owner.ReplaceThumbnailAsync(id, image, idempotencyKey: "poster-race"));

        // The loser either saw the winner's claim (409, retry later) or its recorded answer (a replay).
        var answers = new List<(HttpStatusCode Status, string Body)>();
        foreach (var response in responses)
        {
            using (response)
            {
                answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
            }
        }

        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, a.Body));
        Assert.Single(answers.Where(a => a.Status == HttpStatusCode.OK).Select(a => a.Body).Distinct());
        Assert.Single(FilesOf(id).Except(before));
        Assert.Equal(1, await ReplacementsAsync(owner, id));
        using var again = await owner.ReplaceThumbnailAsync(id, image, idempotencyKey: "poster-race");
        Assert.Equal(answers.First(a => a.Status == HttpStatusCode.OK).Body, await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_retry_that_saw_the_key_unrecorded_and_its_holder_ended_keeps_the_recorded_answer()
    {
        using var owner = api.ClientFor("thumb-key-late-takeover");
        var id = (await owner.UploadWithThumbnailAsync("Recorded poster")).Id();
        var image = Samples.Jpeg(1900, seed: 56);
        using var first = await owner.ReplaceThumbnailAsync(id, image, idempotencyKey: "poster-recorded");
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.OK, firstBody);
        var store = api.Services.GetRequiredService<IDocumentStore>();
        IdempotencyKey recorded;
        await using (var query = store.QuerySession())
        {
            recorded = Assert.Single(await query.Query<IdempotencyKey>().Where(k => k.VideoId == id && k.Request == IdempotencyKey.ThumbnailReplacement).ToListAsync());
        }

        Assert.NotNull(recorded.Version);
        var before = FilesOf(id);

        // What a concurrent retry does when it loaded the claim before the first request recorded it, and finds its holder gone.
        await using (var session = store.LightweightSession())
        {
            IdempotencyKey.ReleaseHeldBy(session, recorded.Id, recorded.HolderId!.Value);
            await session.SaveChangesAsync();
        }

        using var retry = await owner.ReplaceThumbnailAsync(id, image, idempotencyKey: "poster-recorded");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Empty(FilesOf(id).Except(before));
        Assert.Equal(1, await ReplacementsAsync(owner, id));
    }

    [Fact]
    public async Task The_same_key_for_another_image_video_or_request_is_409_and_stores_nothing_but_another_user_has_keys_of_their_own()
    {
        using var owner = api.ClientFor("thumb-key-reuse");
        var id = (await owner.UploadWithThumbnailAsync("Reused key")).Id();
        var other = (await owner.UploadValidAsync("Other video")).Id();
        using var uploaded = await owner.UploadAsync(UploadForm.Valid("Uploaded with a key"), idempotencyKey: "upload-key");
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var uploadedThumbnails = FilesOf(id).Where(f => f.Contains("thumbnail", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(uploadedThumbnails);
        using var first = await owner.ReplaceThumbnailAsync(id, Samples.Jpeg(1500, seed: 53), idempotencyKey: "poster-reused");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // The replaced thumbnail goes by background job: wait, so its removal does not read as one of the refusals below.
        await Eventually.UntilAsync(() => Task.FromResult(!uploadedThumbnails.Any(FilesOf(id).Contains)), "the replaced thumbnail is removed");
        var before = api.StoredFiles();

        using var anotherImage = await owner.ReplaceThumbnailAsync(id, Samples.Jpeg(1500, seed: 54), idempotencyKey: "poster-reused");
        using var anotherVideo = await owner.ReplaceThumbnailAsync(other, Samples.Jpeg(1500, seed: 53), idempotencyKey: "poster-reused");
        using var anUploadsKey = await owner.ReplaceThumbnailAsync(id, Samples.Jpeg(1500, seed: 53), idempotencyKey: "upload-key");

        var problem = await anotherImage.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("another image", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await anotherVideo.AssertProblemAsync(HttpStatusCode.Conflict);
        await anUploadsKey.AssertProblemAsync(HttpStatusCode.Conflict);
        api.AssertStoredNothingSince(before, id, other);
        Assert.Equal(1, await ReplacementsAsync(owner, id));
        Assert.Equal(0, await ReplacementsAsync(owner, other));

        using var admin = await api.ClientFor("thumb-key-admin", admin: true).ReplaceThumbnailAsync(id, Samples.Jpeg(1500, seed: 54), idempotencyKey: "poster-reused");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(2, await ReplacementsAsync(owner, id));
    }

    private HashSet<string> FilesOf(Guid id) =>
        api.StoredFiles().Where(f => f.Contains(id.ToString("N"), StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    private static Task<int> ReplacementsAsync(HttpClient owner, Guid id) => CountAsync(owner, id, "VideoThumbnailReplaced");

    private static Task<int> RemovalsAsync(HttpClient owner, Guid id) => CountAsync(owner, id, "StoredFileCleanupScheduled");

    private static async Task<int> CountAsync(HttpClient owner, Guid id, string type)
    {
        var (status, history) = await owner.SendAsync(HttpMethod.Get, $"/api/videos/{id}/history");
        Assert.Equal(HttpStatusCode.OK, status);
        return JsonDocument.Parse(history).RootElement.EnumerateArray().Count(e => e.GetProperty("type").GetString() == type);
    }
}
