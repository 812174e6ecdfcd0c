using System.Net;
using System.Text.Json;
using Stremora.ReliabilityTests.Infrastructure;

namespace Stremora.ReliabilityTests.Access;

/// <summary>The routes the access matrix covers: each kind of access rule the API has (signed-in, owner or admin, admin, public).</summary>
public enum Route
{
    UploadVideo,
    GetVideo,
    ListVideos,
    DeleteVideo,
    VideoHistory,
    AdminStorage,
    HangfireDashboard,
    HealthReady,
    OpenApi,
    CreateUpload,
    UploadOffset,
    UploadChunk,
    TerminateUpload,
    TusOptions,
    UploadImage,
    GetImage,
    DeleteImage,
}

/// <summary>One host whose catalog holds a video of <see cref="Callers.OwnerId"/> that the read cells look at.</summary>
public sealed class AccessApiFactory : ReliabilityApiFactory
{
    public const string SeedTitle = "Owner's private-ish seed video 5b1e";
    public const string SeedDescriptionMarker = UploadDescription;

    public JsonElement Seed { get; private set; }

    /// <summary>An avatar of <see cref="Callers.OwnerId"/> that the image read cells look at.</summary>
    public JsonElement SeedImage { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Seed = await UploadAsync(Callers.OwnerId, SeedTitle);
        SeedImage = await UploadImageAsync(Callers.OwnerId);
    }

    /// <summary>Uploads a small avatar as <paramref name="userId"/>; fails the test unless it is a 201.</summary>
    public async Task<JsonElement> UploadImageAsync(string userId)
    {
        using var client = ClientFor(userId);
        using var response = await client.PostAsync(new Uri("/api/images", UriKind.Relative), AccessRequests.ImageForm());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Image upload answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
