using System.Globalization;
using System.Net;
using System.Web;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.S3;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Storage.Tests.S3;

/// <summary>
/// Presigned playback URLs are reused for half their lifetime and forgotten on delete, against moto_server.
/// The clock is fake (started at the real time so moto accepts the signatures): advancing it is what
/// separates a reused URL from a freshly signed one, whose X-Amz-Expires then differs.
/// </summary>
public sealed class S3PlaybackUrlCacheTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestBucket _bucket = null!;

    public async Task InitializeAsync() => _bucket = await MotoServer.Instance.CreateBucketAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private S3StorageProvider Provider(double urlExpiryMinutes = 60)
    {
        var options = S3TestOptions.For(_bucket.Settings);
        options.UrlExpiryMinutes = urlExpiryMinutes;
        return new S3StorageProvider(Options.Create(options), _time, NullLogger<S3StorageProvider>.Instance);
    }

    private async Task<(StoredFile File, byte[] Data)> PutAsync()
    {
        var data = Guid.NewGuid().ToByteArray();
        var key = $"stremora/videos/{Guid.CreateVersion7()}/video";
        using var client = MotoServer.Instance.CreateClient();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket.Name, Key = key, InputStream = new MemoryStream(data), ContentType = "video/mp4" });
        return (new StoredFile(S3StorageProvider.ProviderName, key, StoredFileKind.Video), data);
    }

    private static async Task<(HttpStatusCode Status, byte[] Body)> FetchAsync(string url)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(url));
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>When the URL stops working: X-Amz-Date (when it was signed) plus X-Amz-Expires seconds.</summary>
    private static DateTimeOffset ExpiryOf(string url)
    {
        var query = HttpUtility.ParseQueryString(new Uri(url).Query);
        var signedAt = DateTimeOffset.ParseExact(query["X-Amz-Date"]!, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return signedAt.AddSeconds(int.Parse(query["X-Amz-Expires"]!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_second_request_within_half_the_lifetime_gets_the_same_url_and_it_still_serves_the_file()
    {
        using var provider = Provider();
        var (file, data) = await PutAsync();

        var first = await provider.GetPlaybackUrlAsync(file, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await provider.GetPlaybackUrlAsync(file, CancellationToken.None);

        Assert.Equal(first, second);
        var fetched = await FetchAsync(second);
        Assert.Equal(HttpStatusCode.OK, fetched.Status);
        Assert.Equal(data, fetched.Body);
    }

    [Fact]
    public async Task After_a_delete_a_new_url_is_signed_and_it_does_not_serve_the_deleted_object()
    {
        using var provider = Provider();
        var (file, data) = await PutAsync();
        var before = await provider.GetPlaybackUrlAsync(file, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(before, await provider.GetPlaybackUrlAsync(file, CancellationToken.None));
        var fetched = await FetchAsync(before);
        Assert.Equal(HttpStatusCode.OK, fetched.Status);
        Assert.Equal(data, fetched.Body);

        await provider.DeleteAsync(file, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var after = await provider.GetPlaybackUrlAsync(file, CancellationToken.None);

        Assert.NotEqual(before, after);
        Assert.Equal(HttpStatusCode.NotFound, (await FetchAsync(after)).Status);
    }

    [Fact]
    public async Task A_url_handed_out_always_has_at_least_half_of_UrlExpiryMinutes_left()
    {
        var lifetime = TimeSpan.FromMinutes(10);
        using var provider = Provider(urlExpiryMinutes: lifetime.TotalMinutes);
        var (file, _) = await PutAsync();

        var fresh = await provider.GetPlaybackUrlAsync(file, CancellationToken.None);
        Assert.True(ExpiryOf(fresh) - _time.GetUtcNow() >= lifetime / 2, $"fresh URL expires {ExpiryOf(fresh):O}, now {_time.GetUtcNow():O}");

        // Shortly before half the lifetime has gone, the same URL, still with more than half left.
        _time.Advance((lifetime / 2) - TimeSpan.FromMinutes(1));
        var reused = await provider.GetPlaybackUrlAsync(file, CancellationToken.None);
        Assert.Equal(fresh, reused);
        Assert.True(ExpiryOf(reused) - _time.GetUtcNow() >= lifetime / 2, $"reused URL expires {ExpiryOf(reused):O}, now {_time.GetUtcNow():O}");

        // Past half its lifetime it is no longer handed out: a new one is signed.
        _time.Advance(TimeSpan.FromMinutes(2));
        var renewed = await provider.GetPlaybackUrlAsync(file, CancellationToken.None);
        Assert.NotEqual(fresh, renewed);
        Assert.True(ExpiryOf(renewed) - _time.GetUtcNow() >= lifetime / 2, $"renewed URL expires {ExpiryOf(renewed):O}, now {_time.GetUtcNow():O}");
    }
}
