using System.Net;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Stremora.Modules.Videos.GetVideo;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.Modules.Videos.UploadVideo;
using UploadForm = Stremora.TestKit.UploadForm;

namespace Stremora.Modules.Videos.Tests.UploadVideo;

/// <summary>An Idempotency-Key held by an upload that is still running is busy; one held by an upload whose process died is not.</summary>
[Collection(VideosApiGroup.Name)]
public sealed class CrashedUploadKeyTests(VideosApiFactory api)
{
    [Fact]
    public async Task The_key_of_an_upload_whose_process_died_is_taken_by_its_retry_at_once_and_the_dead_upload_is_failed()
    {
        const string owner = "crashed-key-owner";
        const string key = "crashed-key";
        // What a process killed mid-upload leaves: an "uploading" stream holding the key, and no one running it.
        var deadId = await StartedUploadAsync(owner, key);

        using var client = api.ClientFor(owner);
        using var retry = await client.UploadAsync(UploadForm.Valid("Crashed", Samples.Mp4(5000, seed: 93)), idempotencyKey: key);

        var body = await retry.Content.ReadAsStringAsync();
        Assert.True(retry.StatusCode == HttpStatusCode.Created, body);
        Assert.NotEqual(deadId, JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid());
        await using var query = api.Store.QuerySession();
        Assert.Equal(VideoStatus.Failed, (await query.LoadAsync<VideoDetails>(deadId))!.Status);
    }

    [Fact]
    public async Task The_key_of_an_upload_still_running_elsewhere_is_409()
    {
        const string owner = "running-key-owner";
        const string key = "running-key";
        // An upload in flight on another instance: its stream and claim, and its liveness lock held by its process.
        var runningId = await StartedUploadAsync(owner, key);

        await using (await IdempotencyLiveness.HoldAsync(api.Services.GetRequiredService<NpgsqlDataSource>(), runningId, CancellationToken.None))
        {
            using var client = api.ClientFor(owner);
            using var retry = await client.UploadAsync(UploadForm.Valid("Running", Samples.Mp4(5000, seed: 94)), idempotencyKey: key);

            var problem = await retry.AssertProblemAsync(HttpStatusCode.Conflict);
            Assert.Equal("Upload in progress", problem.GetProperty("title").GetString());
        }

        await using var query = api.Store.QuerySession();
        Assert.Equal(VideoStatus.Uploading, (await query.LoadAsync<VideoDetails>(runningId))!.Status);
    }

    /// <summary>An upload's stream and key claim as its start leaves them (no liveness lock: the caller decides that).</summary>
    private async Task<Guid> StartedUploadAsync(string owner, string key)
    {
        var id = Guid.CreateVersion7();
        var keyHash = KeyHash(owner, key);
        await using var session = api.Store.LightweightSession();
        session.Events.StartStream<VideoDetails>(id, new VideoUploadStarted(id, owner, "Started", "", null, "video/mp4", null, keyHash, DateTimeOffset.UtcNow));
        session.Insert(new IdempotencyKey(keyHash, id));
        await session.SaveChangesAsync();
        return id;
    }

    private static string KeyHash(string owner, string key)
    {
        var request = new DefaultHttpContext().Request;
        request.Headers[IdempotencyKey.Header] = key;
        Assert.True(IdempotencyKey.TryReadHash(request, owner, out var hash, out _));
        return hash!;
    }
}
