using Microsoft.Extensions.Configuration;

namespace Stremora.Modules.Storage.Cloudinary;

internal enum CloudinarySignatureAlgorithm
{
    Sha1,
    Sha256,
}

/// <summary>Cloudinary account and upload settings, read from the environment-style keys Cloudinary's SDKs use.</summary>
internal sealed class CloudinaryOptions
{
    public const string UrlKey = "CLOUDINARY_URL";
    public const string CloudNameKey = "CLOUDINARY_CLOUD_NAME";
    public const string ApiKeyKey = "CLOUDINARY_API_KEY";
    public const string ApiSecretKey = "CLOUDINARY_API_SECRET";
    public const string BaseUrlKey = "CLOUDINARY_API_BASE_URL";
    public const string SignatureAlgorithmKey = "Storage:Cloudinary:SignatureAlgorithm";
    public const string ChunkSizeKey = "Storage:Cloudinary:ChunkSizeBytes";
    public const string ConcurrentChunksKey = "Storage:Cloudinary:ConcurrentChunks";
    public const string FolderKey = "Storage:Cloudinary:Folder";
    public const string DestroyTimeoutKey = "Storage:Cloudinary:DestroyAttemptTimeout";

    /// <summary>Cloudinary refuses non-final chunks under 5 MB; 5 MiB is safe whichever unit it means.</summary>
    public const long MinChunkSizeBytes = 5 * 1024 * 1024;

    /// <summary>Cloudinary refuses any single request over 100 MB.</summary>
    public const long MaxChunkSizeBytes = 100 * 1000 * 1000;

    public const long DefaultChunkSizeBytes = 20_000_000;

    public const int MaxConcurrentChunks = 8;

    public static readonly Uri DefaultBaseAddress = new("https://api.cloudinary.com");

    public string? CloudName { get; set; }

    public string? ApiKey { get; set; }

    public string? ApiSecret { get; set; }

    public Uri BaseAddress { get; set; } = DefaultBaseAddress;

    public CloudinarySignatureAlgorithm SignatureAlgorithm { get; set; } = CloudinarySignatureAlgorithm.Sha1;

    public long ChunkSizeBytes { get; set; } = DefaultChunkSizeBytes;

    /// <summary>
    /// Chunks between the first and the last in flight at once (Cloudinary takes those in any order). One by default: on
    /// the bench's two cores, where the upload is CPU-bound, three at a time measured slower (./stremora bench --only cloudinary);
    /// more may pay where the round trip to Cloudinary, not the CPU, is what a chunk waits for.
    /// </summary>
    public int ConcurrentChunks { get; set; } = 1;

    public string Folder { get; set; } = "stremora";

    /// <summary>How long one destroy attempt may take before it is retried (uploads are timed by the failover chain instead).</summary>
    public TimeSpan DestroyAttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What was wrong with the configuration; reported by validation at start-up. Never holds a secret.</summary>
    public List<string> Problems { get; } = [];

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(CloudName) && !string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(ApiSecret);

    /// <summary>CLOUDINARY_URL first; each of the three separate variables, when set, overrides its part.</summary>
    public static void ReadFrom(IConfiguration configuration, CloudinaryOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);

        var url = configuration[UrlKey];
        if (!string.IsNullOrWhiteSpace(url))
        {
            if (CloudinaryUrl.TryParse(url, out var parsed))
            {
                (options.ApiKey, options.ApiSecret, options.CloudName) = parsed;
            }
            else
            {
                options.Problems.Add($"{UrlKey} is malformed: expected cloudinary://<api_key>:<api_secret>@<cloud_name>.");
            }
        }

        options.CloudName = NonEmpty(configuration[CloudNameKey]) ?? options.CloudName;
        options.ApiKey = NonEmpty(configuration[ApiKeyKey]) ?? options.ApiKey;
        options.ApiSecret = NonEmpty(configuration[ApiSecretKey]) ?? options.ApiSecret;

        var baseUrl = NonEmpty(configuration[BaseUrlKey]);
        if (baseUrl is not null)
        {
            if (Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseAddress)
                && (baseAddress.Scheme == Uri.UriSchemeHttps || baseAddress.Scheme == Uri.UriSchemeHttp))
            {
                options.BaseAddress = baseAddress;
            }
            else
            {
                options.Problems.Add($"{BaseUrlKey} must be an absolute http(s) URL.");
            }
        }

        switch (NonEmpty(configuration[SignatureAlgorithmKey])?.ToLowerInvariant())
        {
            case null or "sha1" or "sha-1":
                options.SignatureAlgorithm = CloudinarySignatureAlgorithm.Sha1;
                break;
            case "sha256" or "sha-256":
                options.SignatureAlgorithm = CloudinarySignatureAlgorithm.Sha256;
                break;
            default:
                options.Problems.Add($"{SignatureAlgorithmKey} must be sha1 or sha256.");
                break;
        }

        var chunkSize = NonEmpty(configuration[ChunkSizeKey]);
        if (chunkSize is not null)
        {
            if (long.TryParse(chunkSize, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes))
            {
                options.ChunkSizeBytes = bytes;
            }
            else
            {
                options.Problems.Add($"{ChunkSizeKey} must be a whole number of bytes.");
            }
        }

        if (options.ChunkSizeBytes is < MinChunkSizeBytes or > MaxChunkSizeBytes)
        {
            options.Problems.Add(
                $"{ChunkSizeKey} must be between {MinChunkSizeBytes} (Cloudinary refuses smaller chunks) and {MaxChunkSizeBytes} (its single-request limit).");
        }

        var concurrentChunks = NonEmpty(configuration[ConcurrentChunksKey]);
        if (concurrentChunks is not null)
        {
            if (int.TryParse(concurrentChunks, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var inFlight)
                && inFlight is >= 1 and <= MaxConcurrentChunks)
            {
                options.ConcurrentChunks = inFlight;
            }
            else
            {
                options.Problems.Add($"{ConcurrentChunksKey} must be a whole number from 1 to {MaxConcurrentChunks}.");
            }
        }

        var destroyTimeout = NonEmpty(configuration[DestroyTimeoutKey]);
        if (destroyTimeout is not null)
        {
            if (TimeSpan.TryParse(destroyTimeout, System.Globalization.CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero)
            {
                options.DestroyAttemptTimeout = timeout;
            }
            else
            {
                options.Problems.Add($"{DestroyTimeoutKey} must be a positive time span such as 00:00:30.");
            }
        }

        var folder = configuration[FolderKey];
        if (folder is not null)
        {
            options.Folder = folder.Trim().Trim('/');
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
