using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Stremora.TestKit.FakeCloudinary;

/// <summary>
/// A faithful stand-in for Cloudinary's Upload and Admin APIs on a loopback port: it checks keys,
/// timestamps and signatures, enforces the chunk rules and the 100 MB request limit, keeps bytes on
/// disk, serves them at the secure_url it returns, and can be told to fail.
/// </summary>
public sealed class FakeCloudinaryServer : IAsyncDisposable
{
    /// <summary>Cloudinary refuses non-final chunks smaller than this.</summary>
    public const long MinChunkBytes = 5 * 1024 * 1024;

    /// <summary>Cloudinary refuses any single request carrying more than this.</summary>
    public const long MaxRequestBytes = 100 * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, FakeCloudinaryAsset> _assets = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeCloudinaryRequest> _requests = new();
    private long _lastVersion = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private FakeCloudinaryServer(WebApplication app, string cloudName, string apiKey, string apiSecret, string signatureAlgorithm)
    {
        _app = app;
        CloudName = cloudName;
        ApiKey = apiKey;
        ApiSecret = apiSecret;
        SignatureAlgorithm = signatureAlgorithm;
        Directory.CreateDirectory(IncomingDirectory);
        Directory.CreateDirectory(AssetsDirectory);
        Directory.CreateDirectory(ChunksDirectory);
    }

    public string CloudName { get; }

    public string ApiKey { get; }

    public string ApiSecret { get; }

    /// <summary><c>sha1</c> (Cloudinary's default) or <c>sha256</c>.</summary>
    public string SignatureAlgorithm { get; }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:41234/</c>: the service's CLOUDINARY_API_BASE_URL.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public FakeCloudinaryFaults Faults { get; } = new();

    /// <summary>Where the fake keeps everything it receives; deleted on dispose.</summary>
    public string RootDirectory { get; } = Path.Combine(Path.GetTempPath(), $"fake-cloudinary-{Guid.NewGuid():N}");

    /// <summary>Settings a host needs to use this fake: CLOUDINARY_URL, the base address and the signature algorithm.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["CLOUDINARY_URL"] = $"cloudinary://{ApiKey}:{ApiSecret}@{CloudName}",
        ["CLOUDINARY_API_BASE_URL"] = BaseAddress.ToString(),
        ["Storage:Cloudinary:SignatureAlgorithm"] = SignatureAlgorithm,
    };

    /// <summary>The same as <see cref="Settings"/> with the three separate variables instead of CLOUDINARY_URL.</summary>
    public IReadOnlyDictionary<string, string?> SeparateSettings => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["CLOUDINARY_CLOUD_NAME"] = CloudName,
        ["CLOUDINARY_API_KEY"] = ApiKey,
        ["CLOUDINARY_API_SECRET"] = ApiSecret,
        ["CLOUDINARY_API_BASE_URL"] = BaseAddress.ToString(),
        ["Storage:Cloudinary:SignatureAlgorithm"] = SignatureAlgorithm,
    };

    public IReadOnlyList<FakeCloudinaryAsset> Assets => [.. _assets.Values.OrderBy(a => a.PublicId, StringComparer.Ordinal)];

    /// <summary>Every upload, destroy and admin request received, in arrival order of completion.</summary>
    public IReadOnlyList<FakeCloudinaryRequest> Requests => [.. _requests];

    public int RequestCount => _requests.Count;

    /// <summary>Chunked uploads started but not finished (Cloudinary discards these; they never become assets).</summary>
    public int PendingChunkedUploads => Uploads.Pending;

    /// <summary>The most chunks of one chunked upload that were in flight at the same time (received, not yet answered).</summary>
    public int MostChunksInFlight => Uploads.MostInFlight;

    /// <summary>When above 1, a chunk between the first and the last is answered only once this many chunks of its upload are in flight (or after 30 s).</summary>
    public int HoldMiddleChunksUntilInFlight { get; set; }

    internal string IncomingDirectory => Path.Combine(RootDirectory, "incoming");

    internal string AssetsDirectory => Path.Combine(RootDirectory, "assets");

    internal string ChunksDirectory => Path.Combine(RootDirectory, "chunks");

    internal CancellationToken Stopping => _stopping.Token;

    internal FakeCloudinaryUploads Uploads { get; private set; } = null!;

    public static async Task<FakeCloudinaryServer> StartAsync(
        string signatureAlgorithm = "sha1",
        string cloudName = "stremora-fake",
        string apiKey = "614335564976464",
        CancellationToken cancellationToken = default)
    {
        if (signatureAlgorithm is not ("sha1" or "sha256"))
        {
            throw new ArgumentOutOfRangeException(nameof(signatureAlgorithm), signatureAlgorithm, "sha1 or sha256");
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
        });
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        builder.Services.AddRoutingCore();
        var app = builder.Build();

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(14));
        var server = new FakeCloudinaryServer(app, cloudName, apiKey, secret, signatureAlgorithm);
        server.Uploads = new FakeCloudinaryUploads(server);
        var destroy = new FakeCloudinaryDestroy(server);
        var admin = new FakeCloudinaryAdmin(server);
        var delivery = new FakeCloudinaryDelivery(server);

        app.MapPost("/v1_1/{cloud}/{resourceType}/upload", server.Uploads.HandleAsync);
        app.MapPost("/v1_1/{cloud}/{resourceType}/destroy", destroy.HandleAsync);
        app.MapGet("/v1_1/{cloud}/resources/{resourceType}/upload", admin.ListAsync);
        app.MapGet("/res/{cloud}/{resourceType}/upload/{**path}", delivery.ServeAsync);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public FakeCloudinaryAsset? FindAsset(string publicId, string resourceType = "video") =>
        _assets.TryGetValue(AssetKey(resourceType, publicId), out var asset) ? asset : null;

    /// <summary>Puts a file on the fake behind the service's back (as if uploaded by someone else).</summary>
    public async Task<FakeCloudinaryAsset> PlantAssetAsync(string publicId, byte[] content, string resourceType = "video")
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = Path.Combine(IncomingDirectory, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(path, content);
        return await StoreAssetAsync(resourceType, publicId, path, originalFilename: null, CancellationToken.None);
    }

    /// <summary>Deletes a file behind the service's back. False when there was none.</summary>
    public bool RemoveAsset(string publicId, string resourceType = "video")
    {
        if (!_assets.TryRemove(AssetKey(resourceType, publicId), out var asset))
        {
            return false;
        }

        File.Delete(asset.Path);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        try
        {
            Directory.Delete(RootDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    internal static string AssetKey(string resourceType, string publicId) => $"{resourceType}/{publicId}";

    internal void Record(FakeCloudinaryRequest request) => _requests.Enqueue(request);

    /// <summary>Checks the route's cloud name and, for signed calls, api_key, timestamp age and signature. Null when all is well.</summary>
    internal (int Status, string Message)? Refusal(HttpContext context, IReadOnlyDictionary<string, string>? signedFields)
    {
        if (!string.Equals(context.GetRouteValue("cloud") as string, CloudName, StringComparison.Ordinal))
        {
            return (401, "cloud_name mismatch");
        }

        if (context.GetRouteValue("resourceType") is not ("image" or "video" or "raw"))
        {
            return (400, $"Invalid resource type {context.GetRouteValue("resourceType")}");
        }

        if (signedFields is null)
        {
            return null;
        }

        if (!signedFields.TryGetValue("api_key", out var key) || key.Length == 0)
        {
            return (401, "Must supply api_key");
        }

        if (!string.Equals(key, ApiKey, StringComparison.Ordinal))
        {
            return (401, $"Unknown API key {key}");
        }

        if (!signedFields.TryGetValue("timestamp", out var timestampText)
            || !long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return (400, "Missing required parameter - timestamp");
        }

        var reported = DateTimeOffset.FromUnixTimeSeconds(timestamp);
        if (DateTimeOffset.UtcNow - reported > TimeSpan.FromHours(1))
        {
            return (400, $"Stale request - reported time is {reported.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} +0000 which is more than 1 hour ago");
        }

        if (!signedFields.TryGetValue("signature", out var signature) || signature.Length == 0)
        {
            return (400, "Missing required parameter - signature");
        }

        var stringToSign = FakeCloudinarySignature.StringToSign(signedFields);
        var expected = FakeCloudinarySignature.Compute(stringToSign, ApiSecret, SignatureAlgorithm);
        return string.Equals(signature, expected, StringComparison.OrdinalIgnoreCase)
            ? null
            : (401, $"Invalid Signature {signature}. String to sign - '{stringToSign}'.");
    }

    /// <summary>Moves a received file into the store (replacing an asset with the same id, as overwrite=true does).</summary>
    internal async Task<FakeCloudinaryAsset> StoreAssetAsync(string resourceType, string publicId, string receivedPath, string? originalFilename, CancellationToken cancellationToken)
    {
        string sha256;
        string etag;
        string format;
        long bytes;
        await using (var file = File.OpenRead(receivedPath))
        {
            bytes = file.Length;
            format = FakeCloudinaryFormats.Sniff(file, resourceType);
            file.Position = 0;
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
            file.Position = 0;
#pragma warning disable CA5351 // Cloudinary's etag is an MD5 of the content.
            etag = Convert.ToHexStringLower(await MD5.HashDataAsync(file, cancellationToken));
#pragma warning restore CA5351
        }

        var path = Path.Combine(AssetsDirectory, Guid.NewGuid().ToString("N"));
        File.Move(receivedPath, path);
        var asset = new FakeCloudinaryAsset(
            Guid.NewGuid().ToString("N"),
            publicId,
            resourceType,
            format,
            Interlocked.Increment(ref _lastVersion),
            path,
            bytes,
            sha256,
            etag,
            DateTimeOffset.UtcNow,
            originalFilename);

        var key = AssetKey(resourceType, publicId);
        _assets.AddOrUpdate(key, asset, (_, previous) =>
        {
            File.Delete(previous.Path);
            return asset;
        });
        return asset;
    }

    internal bool TryRemoveAsset(string resourceType, string publicId) => RemoveAsset(publicId, resourceType);

    internal Uri SecureUrl(FakeCloudinaryAsset asset) =>
        new(BaseAddress, $"res/{CloudName}/{asset.ResourceType}/upload/v{asset.Version}/{string.Join('/', asset.PublicId.Split('/').Select(Uri.EscapeDataString))}.{asset.Format}");
}
