using System.Net;
using System.Text.Json;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.EndToEnd;

/// <summary>The whole life of a video through HTTP: upload, get, list, history, delete, cleanup, 404.</summary>
[Collection(VideosApiGroup.Name)]
public sealed class VideoLifecycleTests(VideosApiFactory api)
{
    [Fact]
    public async Task Upload_get_list_history_delete_then_get_is_404_and_the_file_is_removed()
    {
        const string owner = "lifecycle-owner";
        using var client = api.ClientFor(owner);
        var video = Samples.Mp4(8192, seed: 3);

        using var upload = await client.UploadAsync(UploadForm.Valid("Lifecycle", video).File("thumbnail", Samples.Jpeg(), "image/jpeg", "thumb.jpg"));
        var uploadBody = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == HttpStatusCode.Created, uploadBody);
        var created = JsonDocument.Parse(uploadBody).RootElement;
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal(7, id.Version);
        Assert.Equal($"/api/videos/{id}", upload.Headers.Location?.OriginalString);
        Assert.Equal("local", created.GetProperty("video").GetProperty("provider").GetString());
        Assert.Equal(video.Length, created.GetProperty("video").GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(video)), created.GetProperty("video").GetProperty("sha256").GetString());
        Scrub.Json(uploadBody).MatchSnapshot(SnapshotNameExtension.Create("upload-response"));

        // The playback URL really serves the bytes.
        var url = created.GetProperty("video").GetProperty("url").GetString()!;
        Assert.Equal(video, await api.CreateClient().GetByteArrayAsync(new Uri(url, UriKind.RelativeOrAbsolute)));

        var (getStatus, getBody) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        Assert.Equal(HttpStatusCode.OK, getStatus);
        Scrub.Json(getBody).MatchSnapshot(SnapshotNameExtension.Create("get-response"));

        var (listStatus, listBody) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos?ownerId={owner}&page=1&pageSize=10");
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Scrub.Json(listBody).MatchSnapshot(SnapshotNameExtension.Create("list-response"));

        var (deleteStatus, _) = await client.SendAsync(HttpMethod.Delete, $"/api/videos/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleteStatus);

        // Gone from the API at once...
        using var gone = await api.CreateClient().GetAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
        var (_, afterList) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos?ownerId={owner}");
        Assert.Equal(0, JsonDocument.Parse(afterList).RootElement.GetProperty("total").GetInt32());

        // ...and from the disk once the cleanup jobs ran; the stream says so.
        await Eventually.UntilAsync(() => Task.FromResult(!api.StoredFiles().Any(f => f.Contains(id.ToString("N"), StringComparison.Ordinal))), "the cleanup jobs removed both files");
        string history = "";
        await Eventually.UntilAsync(
            async () =>
            {
                (_, history) = await client.SendAsync(HttpMethod.Get, $"/api/videos/{id}/history");
                return JsonDocument.Parse(history).RootElement.EnumerateArray().Count(e => e.GetProperty("type").GetString() == "StoredFileCleanedUp") == 2;
            },
            "the stream records both files cleaned up");

        // The two cleanup jobs may finish in either order: pin the stream with them in a fixed order.
        Scrub.Json(OrderCleanups(history)).MatchSnapshot(SnapshotNameExtension.Create("event-stream"));
    }

    private static string OrderCleanups(string history)
    {
        var entries = JsonDocument.Parse(history).RootElement.EnumerateArray().ToList();
        var head = entries.TakeWhile(e => e.GetProperty("type").GetString() != "StoredFileCleanedUp").ToList();
        var tail = entries.Skip(head.Count).OrderBy(e => e.GetProperty("data").GetProperty("file").GetString(), StringComparer.Ordinal).ToList();
        return JsonSerializer.Serialize(head.Concat(tail).Select((e, i) => new
        {
            type = e.GetProperty("type").GetString(),
            version = i + 1,
            at = e.GetProperty("at"),
            data = e.GetProperty("data"),
        }));
    }
}
