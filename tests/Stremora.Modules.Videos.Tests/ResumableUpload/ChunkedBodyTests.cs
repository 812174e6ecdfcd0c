using System.Globalization;
using System.Net;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.ResumableUpload;

/// <summary>A chunk sent with <c>Transfer-Encoding: chunked</c> (no Content-Length: a client streaming a file it reads as it goes).</summary>
public sealed class ChunkedBodyTests(UploadsApiFactory api) : IClassFixture<UploadsApiFactory>
{
    private const string Owner = "tus-chunked-owner";

    [Fact]
    public async Task A_chunked_body_of_exactly_the_bytes_the_upload_still_needs_is_taken()
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(200 * 1024, seed: 29);
        var location = await client.CreateValidAsync(video.Length, "Sent chunked");
        await client.PatchAcceptedAsync(location, 0, video[..50_000]);

        using var response = await PatchChunkedAsync(client, location, 50_000, video[50_000..]);

        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"PATCH answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(video.Length, response.Offset());
        var ready = await client.VideoAsync(TusHttp.IdOf(location));
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(Samples.Sha256(video), ready.GetProperty("video").GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task A_chunked_body_going_past_the_upload_length_is_413_and_none_of_it_is_kept()
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(100 * 1024, seed: 31);
        var location = await client.CreateValidAsync(video.Length, "Sent chunked, too long");

        using var response = await PatchChunkedAsync(client, location, 0, Samples.Mp4((100 * 1024) + 1, seed: 31));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        using var head = await client.HeadAsync(location);
        Assert.Equal(0, head.Offset());
    }

    private static async Task<HttpResponseMessage> PatchChunkedAsync(HttpClient client, string location, long offset, byte[] bytes)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = TusHttp.Chunk(bytes) };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        return await client.SendAsync(request);
    }
}
