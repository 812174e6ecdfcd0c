using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.TestKit.Host;

namespace Stremora.Modules.Storage.Tests.Local;

/// <summary>The real host with no cloud configured: uploads land on local disk and are served at /media with Range support.</summary>
public sealed class LocalMediaTests(StremoraApiFactory api) : IClassFixture<StremoraApiFactory>
{
    private IVideoStorage Storage => api.Services.GetRequiredService<IVideoStorage>();

    private async Task<(StoredFile File, byte[] Data)> StoreAsync(int size = 200_000, string contentType = "video/mp4")
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var request = new StoreFileRequest(StoredFileKind.Video, $"videos/{Guid.CreateVersion7()}/video", contentType, 1_000_000);
        var result = Assert.IsType<StoreOutcome.Stored>(await Storage.StoreAsync(request, new MemoryStream(data), CancellationToken.None));
        return (result.File, data);
    }

    [Fact]
    public async Task A_stored_file_is_served_whole_with_its_content_type()
    {
        var (file, data) = await StoreAsync();

        Assert.Equal("local", file.Provider);
        Assert.StartsWith("/media/videos/", file.ProviderUrl!, StringComparison.Ordinal);
        using var response = await api.CreateClient().GetAsync(new Uri(file.ProviderUrl!, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(Directory.GetFiles(api.SpoolDirectory));
        AssertNeitherSniffedNorRunnable(response);
    }

    [Fact]
    public async Task A_range_request_gets_206_and_just_those_bytes()
    {
        var (file, data) = await StoreAsync(contentType: "video/webm");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(file.ProviderUrl!, UriKind.Relative));
        request.Headers.Range = new RangeHeaderValue(1000, 1999);

        using var response = await api.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("video/webm", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"bytes 1000-1999/{data.Length}", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(data.AsSpan(1000, 1000).ToArray(), await response.Content.ReadAsByteArrayAsync());
        AssertNeitherSniffedNorRunnable(response);
    }

    [Fact]
    public async Task A_range_beyond_the_end_gets_416_and_the_same_protective_headers()
    {
        var (file, data) = await StoreAsync(size: 1000);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(file.ProviderUrl!, UriKind.Relative));
        request.Headers.Range = new RangeHeaderValue(data.Length, null);

        using var response = await api.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{data.Length}", response.Content.Headers.ContentRange?.ToString());
        AssertNeitherSniffedNorRunnable(response);
    }

    [Fact]
    public async Task A_deleted_file_is_404_and_deleting_again_is_fine()
    {
        var (file, _) = await StoreAsync();

        await Storage.DeleteAsync(file, CancellationToken.None);
        await Storage.DeleteAsync(file, CancellationToken.None);

        using var response = await api.CreateClient().GetAsync(new Uri(file.ProviderUrl!, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(File.Exists(Path.Combine(api.LocalStorageRoot, file.Locator)));
        AssertNeitherSniffedNorRunnable(response);
    }

    [Theory]
    [InlineData("/media/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/media/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/media/videos/..%5C..%5Csecret.mp4")]
    [InlineData("/media/.hidden")]
    [InlineData("/media/")]
    public async Task Paths_that_try_to_leave_the_media_root_are_not_found(string path)
    {
        // A file just outside the root that a traversal would reach.
        await File.WriteAllTextAsync(Path.Combine(api.WorkDirectory, "secret.mp4"), "secret");

        var status = await RawGetStatusAsync(path);

        Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{path} gave {status}");
    }

    [Fact]
    public async Task Traversal_through_the_test_client_is_not_found_either()
    {
        await File.WriteAllTextAsync(Path.Combine(api.WorkDirectory, "secret.mp4"), "secret");
        using var response = await api.CreateClient().GetAsync(new Uri("/media/%2e%2e/secret.mp4", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>
    /// User-uploaded bytes on our origin: a browser must take the declared type as it is (never sniff
    /// HTML or script out of them) and, opened as a document, may play the media but run nothing.
    /// </summary>
    private static void AssertNeitherSniffedNorRunnable(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("default-src 'none'; media-src 'self'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    /// <summary>
    /// HttpClient normalises dot segments before sending, so send the request line exactly as written
    /// through the in-memory server's raw request API.
    /// </summary>
    private async Task<HttpStatusCode> RawGetStatusAsync(string rawPath)
    {
        var context = await api.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = Microsoft.AspNetCore.Http.PathString.FromUriComponent(rawPath);
        });
        return (HttpStatusCode)context.Response.StatusCode;
    }
}
