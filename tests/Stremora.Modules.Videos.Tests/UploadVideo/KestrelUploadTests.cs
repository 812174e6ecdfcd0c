using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.UploadVideo;

/// <summary>The host on real Kestrel (TestServer has no request body limit), with the default-sized video limit raised to 64 MiB.</summary>
public sealed class KestrelVideosApi : IAsyncLifetime
{
    public VideosApiFactory Api { get; } = new();

    public async Task InitializeAsync()
    {
        Api.With("Upload:MaxVideoBytes", (64L * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
        await Api.InitializeAsync();
        Api.StartKestrel();
    }

    public Task DisposeAsync() => Api.DisposeAsync();
}

public sealed class KestrelUploadTests(KestrelVideosApi kestrel) : IClassFixture<KestrelVideosApi>
{
    [Fact]
    public async Task A_video_over_kestrels_default_body_limit_uploads_because_the_route_raises_it()
    {
        // Kestrel's default MaxRequestBodySize is 30,000,000 bytes.
        var bytes = Samples.Mp4(40 * 1024 * 1024, seed: 71);
        using var client = kestrel.Api.ClientFor("kestrel-owner");
        client.Timeout = TimeSpan.FromMinutes(5);

        using var response = await client.UploadAsync(UploadForm.Valid("Big", bytes));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var video = JsonDocument.Parse(body).RootElement.GetProperty("video");
        Assert.Equal(bytes.Length, video.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), video.GetProperty("sha256").GetString());
        Assert.Empty(kestrel.Api.SpoolFiles());
    }
}
