using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Stremora.Modules.Storage.Cloudinary;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Streams;

namespace Stremora.Modules.Storage.Tests.Cloudinary;

/// <summary>The fake must refuse what Cloudinary refuses, or the provider tests would prove nothing.</summary>
public sealed class FakeCloudinaryRulesTests : IClassFixture<FakeCloudinaryFixture>, IDisposable
{
    private const long FiveMiB = 5 * 1024 * 1024;

    private readonly FakeCloudinaryServer _fake;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(5) };

    public FakeCloudinaryRulesTests(FakeCloudinaryFixture fixture)
    {
        _fake = fixture.Server;
        _fake.Faults.Clear();
    }

    public void Dispose() => _http.Dispose();

    private Uri UploadUrl => new(_fake.BaseAddress, $"v1_1/{_fake.CloudName}/video/upload");

    private async Task<(HttpStatusCode Status, string Body)> UploadAsync(
        Stream file, long length, string publicId, string? uploadId = null, string? contentRange = null, string? secret = null, string? timestamp = null)
    {
        var fields = new Dictionary<string, string?>
        {
            ["public_id"] = publicId,
            ["timestamp"] = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        var signature = CloudinarySigner.Sign(fields, secret ?? _fake.ApiSecret, CloudinarySignatureAlgorithm.Sha1);
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value!), name);
        }

        form.Add(new StringContent(_fake.ApiKey), "api_key");
        form.Add(new StringContent(signature), "signature");
        var part = new StreamContent(file);
        part.Headers.ContentLength = length;
        form.Add(part, "file", "video.mp4");
        using var request = new HttpRequestMessage(HttpMethod.Post, UploadUrl) { Content = form };
        if (uploadId is not null)
        {
            request.Headers.Add("X-Unique-Upload-Id", uploadId);
            form.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string ErrorMessage(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString()!;

    [Fact]
    public async Task A_non_last_chunk_under_5_mb_is_refused()
    {
        var (status, body) = await UploadAsync(new GeneratedStream(FiveMiB - 1), FiveMiB - 1, "rules/small-chunk", "u-small", $"bytes 0-{FiveMiB - 2}/-1");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("All parts except EOF-chunk must be larger than 5mb", ErrorMessage(body));
    }

    [Fact]
    public async Task A_single_request_over_100_mb_is_refused_and_nothing_is_kept()
    {
        const long TooBig = FakeCloudinaryServer.MaxRequestBytes + 1;

        var (status, body) = await UploadAsync(new GeneratedStream(TooBig), TooBig, "rules/too-big");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("File size too large", ErrorMessage(body), StringComparison.Ordinal);
        Assert.Null(_fake.FindAsset("rules/too-big"));
    }

    [Fact]
    public async Task The_first_chunk_must_come_first_and_a_chunk_may_be_resent()
    {
        var (gapStatus, gapBody) = await UploadAsync(new GeneratedStream(FiveMiB), FiveMiB, "rules/gap", "u-gap", $"bytes {FiveMiB}-{(2 * FiveMiB) - 1}/-1");
        var first = await UploadAsync(new GeneratedStream(FiveMiB), FiveMiB, "rules/resend", "u-resend", $"bytes 0-{FiveMiB - 1}/-1");
        var again = await UploadAsync(new GeneratedStream(FiveMiB), FiveMiB, "rules/resend", "u-resend", $"bytes 0-{FiveMiB - 1}/-1");
        var last = await UploadAsync(new GeneratedStream(10), 10, "rules/resend", "u-resend", $"bytes {FiveMiB}-{FiveMiB + 9}/{FiveMiB + 10}");

        Assert.Equal(HttpStatusCode.BadRequest, gapStatus);
        Assert.StartsWith("Chunk out of order", ErrorMessage(gapBody), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, false), (first.Status, JsonDocument.Parse(first.Body).RootElement.GetProperty("done").GetBoolean()));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(HttpStatusCode.OK, last.Status);
        Assert.Equal(FiveMiB + 10, _fake.FindAsset("rules/resend")!.Bytes);
    }

    [Fact]
    public async Task Middle_chunks_may_come_in_any_order_but_the_last_only_after_all_of_them()
    {
        const string Id = "u-any-order";
        var first = await UploadAsync(new GeneratedStream(FiveMiB), FiveMiB, "rules/any-order", Id, $"bytes 0-{FiveMiB - 1}/-1");
        var third = await UploadAsync(new GeneratedStream(FiveMiB), FiveMiB, "rules/any-order", Id, $"bytes {2 * FiveMiB}-{(3 * FiveMiB) - 1}/-1");
        var (earlyStatus, earlyBody) = await UploadAsync(new GeneratedStream(10), 10, "rules/any-order", Id, $"bytes {3 * FiveMiB}-{(3 * FiveMiB) + 9}/{(3 * FiveMiB) + 10}");
        var second = await UploadAsync(new GeneratedStream(FiveMiB), FiveMiB, "rules/any-order", Id, $"bytes {FiveMiB}-{(2 * FiveMiB) - 1}/-1");
        var last = await UploadAsync(new GeneratedStream(10), 10, "rules/any-order", Id, $"bytes {3 * FiveMiB}-{(3 * FiveMiB) + 9}/{(3 * FiveMiB) + 10}");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { first.Status, third.Status, second.Status });
        Assert.Equal(HttpStatusCode.BadRequest, earlyStatus);
        Assert.StartsWith("Chunk out of order: the last chunk came before bytes", ErrorMessage(earlyBody), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, last.Status);
        Assert.Equal((3 * FiveMiB) + 10, _fake.FindAsset("rules/any-order")!.Bytes);
    }

    [Fact]
    public async Task A_wrong_signature_is_refused_with_the_string_cloudinary_signed()
    {
        var (status, body) = await UploadAsync(new MemoryStream([1, 2, 3]), 3, "rules/bad-signature", secret: "not-the-secret", timestamp: "1900000000");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Matches("^Invalid Signature [0-9a-f]{40}\\. String to sign - 'public_id=rules/bad-signature&timestamp=1900000000'\\.$", ErrorMessage(body));
    }

    [Fact]
    public async Task An_unknown_api_key_is_refused()
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("999"), "api_key" },
            { new StringContent("1"), "timestamp" },
            { new StringContent("x"), "signature" },
        };

        using var response = await _http.PostAsync(UploadUrl, form);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unknown API key 999", ErrorMessage(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Admin_listing_pages_through_assets_under_a_prefix_with_basic_auth()
    {
        foreach (var name in new[] { "a", "b", "c" })
        {
            await _fake.PlantAssetAsync($"listing/{name}", [1, 2, 3]);
        }

        await _fake.PlantAssetAsync("elsewhere/d", [4]);

        var first = await ListAsync("prefix=listing/&max_results=2", _fake.ApiSecret);
        var cursor = first.RootElement.GetProperty("next_cursor").GetString();
        var second = await ListAsync($"prefix=listing/&max_results=2&next_cursor={Uri.EscapeDataString(cursor!)}", _fake.ApiSecret);

        Assert.Equal(["listing/a", "listing/b"], PublicIds(first));
        Assert.Equal(["listing/c"], PublicIds(second));
        Assert.False(second.RootElement.TryGetProperty("next_cursor", out _));
    }

    [Fact]
    public async Task Admin_listing_refuses_wrong_credentials()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_fake.BaseAddress, $"v1_1/{_fake.CloudName}/resources/video/upload"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_fake.ApiKey}:wrong")));

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<JsonDocument> ListAsync(string query, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_fake.BaseAddress, $"v1_1/{_fake.CloudName}/resources/video/upload?{query}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_fake.ApiKey}:{secret}")));
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static string[] PublicIds(JsonDocument listing) =>
        [.. listing.RootElement.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("public_id").GetString()!)];
}
