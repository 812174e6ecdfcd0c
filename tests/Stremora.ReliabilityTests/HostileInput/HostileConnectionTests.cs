using System.Net;
using Stremora.ReliabilityTests.Infrastructure;
using Stremora.TestKit.Host;

namespace Stremora.ReliabilityTests.HostileInput;

/// <summary>Attacks on the connection itself, over a bare socket to real Kestrel.</summary>
public sealed class HostileConnectionTests(HostileApiFactory api) : IClassFixture<HostileApiFactory>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Huge_Content_Length_is_413_before_a_single_body_byte_is_sent()
    {
        var before = await api.LeftBehindAsync();
        await using var raw = await RawHttp.ConnectAsync(api.ServerAddress);
        // Headers only: if the service waited for (or read) the body, no response would ever come.
        await raw.SendAsync(
            "POST /api/videos HTTP/1.1\r\n" +
            $"Host: {api.ServerAddress.Authority}\r\n" +
            $"Authorization: Bearer {TestTokens.For("hostile-user-1")}\r\n" +
            "Content-Type: multipart/form-data; boundary=xyz\r\n" +
            "Content-Length: 1000000000000\r\n\r\n");

        var response = await raw.ReadResponseAsync(Deadline);

        Assert.Equal(413, response.Status);
        ProblemAssert.IsProblem(HttpStatusCode.RequestEntityTooLarge, response.ContentType, response.Body, "huge Content-Length");
        Assert.Equal(before, await api.LeftBehindAsync());
    }

    [Fact]
    public async Task Huge_Content_Length_from_an_anonymous_caller_is_401_before_the_body()
    {
        await using var raw = await RawHttp.ConnectAsync(api.ServerAddress);
        await raw.SendAsync(
            "POST /api/videos HTTP/1.1\r\n" +
            $"Host: {api.ServerAddress.Authority}\r\n" +
            "Content-Type: multipart/form-data; boundary=xyz\r\n" +
            "Content-Length: 1000000000000\r\n\r\n");

        var response = await raw.ReadResponseAsync(Deadline);

        Assert.Equal(401, response.Status);
        ProblemAssert.IsProblem(HttpStatusCode.Unauthorized, response.ContentType, response.Body, "anonymous huge upload");
    }

    [Fact]
    public async Task Slow_loris_body_is_cut_off_with_a_408_problem_and_leaves_nothing()
    {
        var before = await api.LeftBehindAsync();
        await using var raw = await RawHttp.ConnectAsync(api.ServerAddress);
        var start = new RawForm().Field("title", "Slow loris").ToBytes();
        var head = "--" + new RawForm().Boundary + "\r\nContent-Disposition: form-data; name=\"video\"; filename=\"slow.mp4\"\r\nContent-Type: video/mp4\r\n\r\n";
        byte[] opening = [.. start, .. System.Text.Encoding.UTF8.GetBytes(head), .. Samples.Mp4(1024)];
        await raw.SendAsync(
            "POST /api/videos HTTP/1.1\r\n" +
            $"Host: {api.ServerAddress.Authority}\r\n" +
            $"Authorization: Bearer {TestTokens.For("hostile-user-1")}\r\n" +
            $"Content-Type: multipart/form-data; boundary={new RawForm().Boundary}\r\n" +
            "Content-Length: 3000000\r\n\r\n");
        // The upload starts (the video is already being stored), then the client goes quiet.
        await raw.SendAsync(opening);

        var response = await raw.ReadResponseAsync(Deadline);

        Assert.Equal(408, response.Status);
        ProblemAssert.IsProblem(HttpStatusCode.RequestTimeout, response.ContentType, response.Body, "slow-loris");
        await Eventually.UntilAsync(async () => await api.LeftBehindAsync() == before, "the abandoned slow upload left nothing behind");
    }
}
