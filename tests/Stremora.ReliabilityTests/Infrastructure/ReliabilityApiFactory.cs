using System.Globalization;
using System.Net;
using System.Text.Json;
using Stremora.TestKit.Host;

namespace Stremora.ReliabilityTests.Infrastructure;

/// <summary>The real host on its own database (local-disk storage unless a test adds providers), with small limits so 413s are cheap.</summary>
public class ReliabilityApiFactory : StremoraApiFactory
{
    public const long MaxVideoBytes = 4 * 1024 * 1024;
    public const long MaxThumbnailBytes = 64 * 1024;

    /// <summary>The description of every video <see cref="UploadAsync"/> uploads.</summary>
    public const string UploadDescription = "Uploaded by the reliability suite.";

    public ReliabilityApiFactory()
    {
        With("Upload:MaxVideoBytes", MaxVideoBytes.ToString(CultureInfo.InvariantCulture));
        With("Upload:MaxThumbnailBytes", MaxThumbnailBytes.ToString(CultureInfo.InvariantCulture));
        With("Cleanup:RetryDelaySeconds", "1");
    }

    /// <summary>Uploads a small valid video as <paramref name="userId"/>; fails the test unless it is a 201.</summary>
    public async Task<JsonElement> UploadAsync(string userId, string title, byte[]? video = null)
    {
        using var client = ClientFor(userId);
        using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), UploadForm.Valid(title, video, UploadDescription).Build());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Upload answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>How many ready videos the catalog lists.</summary>
    public async Task<long> CatalogTotalAsync()
    {
        using var client = CreateClient();
        var body = await client.GetStringAsync(new Uri("/api/videos?pageSize=1", UriKind.Relative));
        return JsonDocument.Parse(body).RootElement.GetProperty("total").GetInt64();
    }
}
