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

/// <summary>Each upload may spool gigabytes: one user cannot hold more than their share of them at once.</summary>
public sealed class ConcurrentUploadCapTests(OneUploadPerUserApiFactory api) : IClassFixture<OneUploadPerUserApiFactory>
{
    [Fact]
    public async Task A_users_upload_over_the_cap_is_429_with_retry_after_while_another_user_uploads_freely()
    {
        using var client = api.Client("cap-owner");
        var release = new TaskCompletionSource();
        var held = client.SendAsync(HeldUpload(Samples.Mp4(200_000, seed: 136), release.Task));
        try
        {
            await Eventually.UntilAsync(() => Task.FromResult(api.SpoolFiles().Count > 0 || held.IsCompleted), "the held upload is spooling");
            Assert.False(held.IsCompleted);

            using var second = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), UploadForm.Valid("Second", Samples.Mp4(5000, seed: 137)).Build());
            using var otherUser = await api.Client("cap-other").PostAsync(new Uri("/api/videos", UriKind.Relative), UploadForm.Valid("Other", Samples.Mp4(5000, seed: 138)).Build());

            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
            Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(10), second.Headers.RetryAfter?.Delta);
            Assert.Contains("\"title\":\"Too many uploads at once\"", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Created, otherUser.StatusCode);
        }
        finally
        {
            release.TrySetResult();
        }

        using var done = await held;
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        using var after = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), UploadForm.Valid("After", Samples.Mp4(5000, seed: 139)).Build());
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }

    private static HttpRequestMessage HeldUpload(byte[] video, Task release)
    {
        var part = new HeldBodyContent(video, release);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse("video/mp4");
        var form = new MultipartFormDataContent { { new StringContent("Held"), "title" }, { part, "video", "held.mp4" } };
        return new HttpRequestMessage(HttpMethod.Post, new Uri("/api/videos", UriKind.Relative)) { Content = form };
    }
}
