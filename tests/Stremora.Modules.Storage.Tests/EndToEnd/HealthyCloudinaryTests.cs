using System.Net;
using System.Text.Json;
using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.Streams;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

public sealed class HealthyCloudinaryFixture : FailoverHostFixture;

/// <summary>With Cloudinary healthy a video lands there, and its URL serves the very bytes sent.</summary>
public sealed class HealthyCloudinaryTests : IClassFixture<HealthyCloudinaryFixture>
{
    private readonly HealthyCloudinaryFixture _fixture;

    public HealthyCloudinaryTests(HealthyCloudinaryFixture fixture)
    {
        _fixture = fixture;
        _fixture.Cloudinary.Faults.Clear();
    }

    [Fact]
    public async Task A_video_lands_on_cloudinary_and_its_url_serves_the_same_bytes()
    {
        await using var video = new GeneratedStream(3_000_000, seed: 7, header: Samples.Mp4Prefix(3_000_000));

        var result = Assert.IsType<StoreOutcome.Stored>(await _fixture.Storage.StoreAsync(Uploads.VideoRequest("healthy"), video, CancellationToken.None));

        Assert.Equal("cloudinary", result.File.Provider);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(("cloudinary", "stored", (string?)null), (attempt.Provider, attempt.Outcome, attempt.Error));
        Assert.Equal((video.Length, video.Sha256), (result.File.Bytes, result.File.Sha256));
        var asset = Assert.Single(_fixture.Cloudinary.Assets, a => a.PublicId == result.File.Locator);
        Assert.Equal(video.Sha256, asset.Sha256);
        Assert.Equal((video.Length, video.Sha256), await Uploads.FetchAsync(result.File.ProviderUrl!));
        Assert.Empty(Directory.GetFiles(_fixture.Host.SpoolDirectory));
    }

    [Fact]
    public async Task An_upload_over_http_answers_201_with_cloudinary_as_provider_and_a_url_that_serves_the_same_bytes()
    {
        using var client = _fixture.Host.ClientFor("healthy-uploader");
        await using var video = new GeneratedStream(2_500_000, seed: 11, header: Samples.Mp4Prefix(2_500_000));
        using var form = new UploadForm().Field("title", "Healthy Cloudinary").Field("description", "Lands on the first provider.").File("video", video, "video/mp4", "clip.mp4").Build();

        using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), form);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var stored = json.RootElement.GetProperty("video");
        Assert.Equal("cloudinary", stored.GetProperty("provider").GetString());
        Assert.Equal(video.Sha256, stored.GetProperty("sha256").GetString());
        Assert.Equal(video.Length, stored.GetProperty("bytes").GetInt64());
        var attempts = json.RootElement.GetProperty("attempts").EnumerateArray()
            .Select(a => (a.GetProperty("file").GetString(), a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString()))
            .ToList();
        Assert.Equal([("video", "cloudinary", "stored")], attempts);
        Assert.Equal((video.Length, video.Sha256), await Uploads.FetchAsync(stored.GetProperty("url").GetString()!));
    }
}
