using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Stremora.ReliabilityTests.Infrastructure;
using Stremora.TestKit.Streams;

namespace Stremora.ReliabilityTests.HostileInput;

/// <summary>Real Kestrel, one upload in flight per user.</summary>
public sealed class OneUploadPerUserApiFactory : KestrelApiFactory
{
    public OneUploadPerUserApiFactory() => With("Upload:MaxConcurrentPerUser", "1");
}

/// <summary>
/// Each upload may spool gigabytes: one user cannot hold more than their share of them at once, whichever upload
/// route they use (multipart video, tus chunk, image), and a refused request leaves nothing behind.
/// </summary>
public sealed class ConcurrentUploadCapTests(OneUploadPerUserApiFactory api) : IClassFixture<OneUploadPerUserApiFactory>
{
    private static readonly Uri Videos = new("/api/videos", UriKind.Relative);
    private static readonly Uri Images = new("/api/images", UriKind.Relative);

    [Fact]
    public async Task While_a_users_multipart_upload_is_in_flight_their_next_video_image_and_chunk_are_429_and_another_user_uploads_freely()
    {
        using var client = Tus(api.Client("cap-owner"));
        var chunkBytes = Samples.Mp4(5000, seed: 140);
        var pending = await CreateUploadAsync(client, chunkBytes.Length);
        var release = new TaskCompletionSource();
        var held = client.SendAsync(HeldMultipart(Samples.Mp4(200_000, seed: 136), release.Task));
        try
        {
            await Eventually.UntilAsync(() => Task.FromResult(api.SpoolFiles().Count > 0 || held.IsCompleted), "the held upload is spooling");
            Assert.False(held.IsCompleted);
            var before = await api.LeftBehindAsync();

            using var second = await client.PostAsync(Videos, UploadForm.Valid("Second", Samples.Mp4(5000, seed: 137)).Build());
            using var image = await client.PostAsync(Images, ImageForm(Samples.Jpeg()));
            using var chunk = await client.SendAsync(Chunk(pending, 0, chunkBytes));
            using var otherUser = await api.Client("cap-other").PostAsync(Videos, UploadForm.Valid("Other", Samples.Mp4(5000, seed: 138)).Build());

            await AssertCappedAsync(second, "second video");
            await AssertCappedAsync(image, "image");
            await AssertCappedAsync(chunk, "tus chunk");
            Assert.Equal(HttpStatusCode.Created, otherUser.StatusCode);
            var rejected = await api.LeftBehindAsync();
            Assert.Equal(before.SpoolFiles, rejected.SpoolFiles);
            Assert.Equal(before.CatalogTotal + 1, rejected.CatalogTotal);
            Assert.Equal(0, await OffsetAsync(client, pending));
        }
        finally
        {
            release.TrySetResult();
        }

        using var done = await held;
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        using var after = await client.PostAsync(Videos, UploadForm.Valid("After", Samples.Mp4(5000, seed: 139)).Build());
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }

    [Fact]
    public async Task While_a_users_tus_chunk_is_in_flight_their_next_chunk_and_video_are_429_and_the_held_chunk_then_completes()
    {
        using var client = Tus(api.Client("cap-chunker"));
        var video = Samples.Mp4(200_000, seed: 141);
        var heldUpload = await CreateUploadAsync(client, video.Length);
        var chunkBytes = Samples.Mp4(5000, seed: 142);
        var other = await CreateUploadAsync(client, chunkBytes.Length);
        var release = new TaskCompletionSource();
        var held = client.SendAsync(HeldChunk(heldUpload, video, release.Task));
        try
        {
            await Eventually.UntilAsync(() => Task.FromResult(StagedBytes(heldUpload) > 0 || held.IsCompleted), "the held chunk is being staged");
            Assert.False(held.IsCompleted);

            using var chunk = await client.SendAsync(Chunk(other, 0, chunkBytes));
            using var multipart = await client.PostAsync(Videos, UploadForm.Valid("Second", Samples.Mp4(5000, seed: 143)).Build());

            await AssertCappedAsync(chunk, "second chunk");
            await AssertCappedAsync(multipart, "video");
            Assert.Equal(0, await OffsetAsync(client, other));
            Assert.Empty(api.SpoolFiles());
        }
        finally
        {
            release.TrySetResult();
        }

        using var done = await held;
        Assert.True(done.StatusCode == HttpStatusCode.NoContent, $"The held chunk answered {(int)done.StatusCode}: {await done.Content.ReadAsStringAsync()}");
        using var next = await client.SendAsync(Chunk(other, 0, chunkBytes));
        Assert.Equal(HttpStatusCode.NoContent, next.StatusCode);
    }

    private static async Task AssertCappedAsync(HttpResponseMessage response, string what)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.TooManyRequests, what);
        Assert.Equal("Too many uploads at once", problem.GetProperty("title").GetString());
        Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
    }

    private long StagedBytes(string location)
    {
        var file = Path.Combine(api.StagingDirectory, location[(location.LastIndexOf('/') + 1)..].Replace("-", "", StringComparison.Ordinal));
        return File.Exists(file) ? new FileInfo(file).Length : 0;
    }

    private static HttpClient Tus(HttpClient client)
    {
        client.DefaultRequestHeaders.Add("Tus-Resumable", "1.0.0");
        return client;
    }

    private static async Task<string> CreateUploadAsync(HttpClient client, long length)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/uploads", UriKind.Relative));
        create.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        create.Headers.Add("Upload-Metadata", "title " + Convert.ToBase64String("Capped"u8.ToArray()));
        using var created = await client.SendAsync(create);
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"Creation answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        return created.Headers.Location!.OriginalString;
    }

    private static async Task<long> OffsetAsync(HttpClient client, string location)
    {
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        return long.Parse(head.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
    }

    private static HttpRequestMessage Chunk(string location, long offset, byte[] bytes) => ChunkRequest(location, offset, new ByteArrayContent(bytes));

    private static HttpRequestMessage HeldChunk(string location, byte[] video, Task release)
    {
        // With its length, as tus clients send a chunk.
        var content = new HeldBodyContent(video, release);
        content.Headers.ContentLength = video.Length;
        return ChunkRequest(location, 0, content);
    }

    private static HttpRequestMessage ChunkRequest(string location, long offset, HttpContent content)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
        patch.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        return patch;
    }

    private static MultipartFormDataContent ImageForm(byte[] image)
    {
        var part = new ByteArrayContent(image);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse("image/jpeg");
        return new MultipartFormDataContent { { new StringContent("avatar"), "kind" }, { part, "image", "avatar.jpg" } };
    }

    private static HttpRequestMessage HeldMultipart(byte[] video, Task release)
    {
        var part = new HeldBodyContent(video, release);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse("video/mp4");
        var form = new MultipartFormDataContent { { new StringContent("Held"), "title" }, { part, "video", "held.mp4" } };
        return new HttpRequestMessage(HttpMethod.Post, Videos) { Content = form };
    }
}
