using System.Net;
using System.Text.Json;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.UploadVideo;

[Collection(VideosApiGroup.Name)]
public sealed class IdempotencyTests(VideosApiFactory api)
{
    [Fact]
    public async Task Same_key_and_same_content_returns_the_same_video_and_stores_nothing_twice()
    {
        using var client = api.ClientFor("idem-same");
        var video = Samples.Mp4(5000, seed: 11);

        using var first = await client.UploadAsync(UploadForm.Valid("Once", video), idempotencyKey: "key-1");
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.Created, firstBody);
        var id = JsonDocument.Parse(firstBody).RootElement.GetProperty("id").GetGuid();
        var filesAfterFirst = api.StoredFiles();

        using var second = await client.UploadAsync(UploadForm.Valid("Once", video), idempotencyKey: "key-1");
        var secondBody = await second.Content.ReadAsStringAsync();

        Assert.True(second.StatusCode == HttpStatusCode.Created, secondBody);
        Assert.Equal(id, JsonDocument.Parse(secondBody).RootElement.GetProperty("id").GetGuid());
        Assert.Equal($"/api/videos/{id}", second.Headers.Location?.OriginalString);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        // Nothing new was stored (other tests' cleanup jobs may still be removing their files meanwhile).
        Assert.Empty(api.StoredFiles().Except(filesAfterFirst));
        Assert.Single(api.StoredFiles(), f => f.Contains(id.ToString("N"), StringComparison.Ordinal));
        Assert.Empty(api.SpoolFiles());
    }

    [Fact]
    public async Task Same_key_with_different_content_is_409_and_stores_nothing()
    {
        using var client = api.ClientFor("idem-different");
        var created = await client.UploadAsync(UploadForm.Valid("First", Samples.Mp4(5000, seed: 21)), idempotencyKey: "key-2");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var files = api.StoredFiles();

        using var conflict = await client.UploadAsync(UploadForm.Valid("Second", Samples.Mp4(5000, seed: 22)), idempotencyKey: "key-2");

        await conflict.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Empty(api.StoredFiles().Except(files));
        var list = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/videos?ownerId=idem-different", UriKind.Relative))).RootElement;
        Assert.Equal(1, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Keys_belong_to_one_user()
    {
        var video = Samples.Mp4(5000, seed: 31);
        var a = await api.ClientFor("idem-user-a").UploadAsync(UploadForm.Valid("A", video), idempotencyKey: "shared-key");
        var b = await api.ClientFor("idem-user-b").UploadAsync(UploadForm.Valid("B", video), idempotencyKey: "shared-key");

        Assert.Equal(HttpStatusCode.Created, a.StatusCode);
        Assert.Equal(HttpStatusCode.Created, b.StatusCode);
        Assert.NotEqual(
            JsonDocument.Parse(await a.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid(),
            JsonDocument.Parse(await b.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Two_concurrent_uploads_with_one_key_create_one_video()
    {
        using var client = api.ClientFor("idem-race");
        var filesBefore = api.StoredFiles();

        await RaceAsync(client, "idem-race", "race-key", Samples.Mp4(200_000, seed: 91));

        Assert.Single(api.StoredFiles().Except(filesBefore));
    }

    [Fact]
    public async Task Two_concurrent_retries_with_the_key_of_a_deleted_video_store_one_new_video()
    {
        using var client = api.ClientFor("idem-deleted-race");
        var video = Samples.Mp4(200_000, seed: 92);
        using (var first = await client.UploadAsync(UploadForm.Valid("Deleted", video), idempotencyKey: "deleted-key"))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            var (deleted, body) = await client.SendAsync(HttpMethod.Delete, $"/api/videos/{JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid()}");
            Assert.True(deleted == HttpStatusCode.NoContent, body);
        }

        await RaceAsync(client, "idem-deleted-race", "deleted-key", video);
    }

    /// <summary>Two uploads of one key at once: one stores; the other is refused (409) or, coming late enough, given that very video back.</summary>
    private static async Task RaceAsync(HttpClient client, string owner, string key, byte[] video)
    {
        var responses = await Task.WhenAll(
            client.UploadAsync(UploadForm.Valid("Race", video), idempotencyKey: key),
            client.UploadAsync(UploadForm.Valid("Race", video), idempotencyKey: key));

        try
        {
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
            var ids = new List<Guid>();
            foreach (var created in responses.Where(r => r.StatusCode == HttpStatusCode.Created))
            {
                ids.Add(JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid());
            }

            Assert.Single(ids.Distinct());
            var list = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/videos?ownerId={owner}", UriKind.Relative))).RootElement;
            Assert.Equal(1, list.GetProperty("total").GetInt32());
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
