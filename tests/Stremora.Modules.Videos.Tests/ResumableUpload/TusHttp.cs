using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Stremora.Modules.Videos.Tests.ResumableUpload;

/// <summary>The tus requests the protocol tests send by hand.</summary>
internal static class TusHttp
{
    public const string ChunkType = "application/offset+octet-stream";

    public static async Task<HttpResponseMessage> CreateAsync(this HttpClient client, long length, string? metadata = null, byte[]? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/uploads");
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        if (metadata is not null)
        {
            request.Headers.Add("Upload-Metadata", metadata);
        }

        if (body is not null)
        {
            request.Content = Chunk(body);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Creates an upload titled <paramref name="title"/>; fails the test unless it is a 201. Returns its location.</summary>
    public static async Task<string> CreateValidAsync(this HttpClient client, long length, string title = "A resumable day at the beach")
    {
        using var response = await client.CreateAsync(length, UploadsApiFactory.Metadata(("title", title), ("filename", "beach.mp4"), ("filetype", "video/mp4")));
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"Creation answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!.OriginalString;
    }

    public static async Task<HttpResponseMessage> PatchAsync(this HttpClient client, string location, long offset, byte[] bytes, string? checksum = null, string contentType = ChunkType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = Chunk(bytes, contentType) };
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        if (checksum is not null)
        {
            request.Headers.Add("Upload-Checksum", checksum);
        }

        return await client.SendAsync(request);
    }

    /// <summary>A chunk that must be taken: fails the test unless it is a 204. Returns the new offset.</summary>
    public static async Task<long> PatchAcceptedAsync(this HttpClient client, string location, long offset, byte[] bytes)
    {
        using var response = await client.PatchAsync(location, offset, bytes);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.NoContent, $"PATCH at {offset} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Offset();
    }

    public static Task<HttpResponseMessage> HeadAsync(this HttpClient client, string location) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));

    public static long Offset(this HttpResponseMessage response) =>
        long.Parse(response.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);

    public static Guid IdOf(string location) => Guid.Parse(location[(location.LastIndexOf('/') + 1)..]);

    public static async Task<JsonElement> VideoAsync(this HttpClient client, Guid id)
    {
        using var response = await client.GetAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET video answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static ByteArrayContent Chunk(byte[] bytes, string contentType = ChunkType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }
}
