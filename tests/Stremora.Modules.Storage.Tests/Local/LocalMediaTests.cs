using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Tests.Local;

/// <summary>
/// The real host with no cloud configured: uploads land on local disk and are served at /media with Range support, for
/// as long as a catalog (here <see cref="LiveTestFiles"/>) says the file is live.
/// </summary>
public sealed class LocalMediaTests(LocalMediaApiFactory api) : IClassFixture<LocalMediaApiFactory>
{
    private IVideoStorage Storage => api.Services.GetRequiredService<IVideoStorage>();

    /// <summary>Stores a file through the chain and records it as live, as a module does once its record serves it.</summary>
    private async Task<(StoredFile File, byte[] Data)> StoreAsync(int size = 200_000, string contentType = "video/mp4")
    {
        var (file, data) = await StoreUncataloguedAsync(size, contentType);
        api.Catalog.Record(file);
        return (file, data);
    }

    private async Task<(StoredFile File, byte[] Data)> StoreUncataloguedAsync(int size = 200_000, string contentType = "video/mp4")
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var request = new StoreFileRequest(StoredFileKind.Video, LiveTestFiles.NewKey(), contentType, 1_000_000);
        var result = Assert.IsType<StoreOutcome.Stored>(await Storage.StoreAsync(request, new MemoryStream(data), CancellationToken.None));
        return (result.File, data);
    }

    [Fact]
    public async Task A_stored_file_is_served_whole_with_its_content_type()
    {
        var (file, data) = await StoreAsync();

        Assert.Equal("local", file.Provider);
        Assert.StartsWith("/media/storage-tests/", file.ProviderUrl!, StringComparison.Ordinal);
        using var response = await api.CreateClient().GetAsync(new Uri(file.ProviderUrl!, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(Directory.GetFiles(api.SpoolDirectory));
        AssertNeitherSniffedNorRunnable(response);
        AssertNoSharedCacheKeepsIt(response);
    }

    [Fact]
    public async Task A_file_on_disk_that_no_catalog_serves_is_404_and_never_cached()
    {
        var (file, _) = await StoreUncataloguedAsync();

        using var response = await api.CreateClient().GetAsync(new Uri(file.ProviderUrl!, UriKind.Relative));

        Assert.True(File.Exists(Path.Combine(api.LocalStorageRoot, file.Locator)));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        AssertNeitherSniffedNorRunnable(response);
    }

    [Fact]
    public async Task A_file_withdrawn_from_its_catalog_is_404_at_once_while_still_on_disk()
    {
        var (file, _) = await StoreAsync();
        using var served = await api.CreateClient().GetAsync(new Uri(file.ProviderUrl!, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);

        api.Catalog.Withdraw(file);
        using var again = await api.CreateClient().GetAsync(new Uri(file.ProviderUrl!, UriKind.Relative));

        Assert.True(File.Exists(Path.Combine(api.LocalStorageRoot, file.Locator)));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
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
        AssertNoSharedCacheKeepsIt(response);
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

    /// <summary>A proxy stores nothing; a browser asks again before each reuse, and that request meets the catalog check.</summary>
    private static void AssertNoSharedCacheKeepsIt(HttpResponseMessage response)
    {
        var cacheControl = response.Headers.CacheControl;
        Assert.NotNull(cacheControl);
        Assert.True(cacheControl.Private && cacheControl.NoCache && cacheControl.MaxAge is null, $"Cache-Control: {cacheControl}");
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
