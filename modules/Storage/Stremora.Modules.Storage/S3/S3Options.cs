using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Stremora.Modules.Storage.S3;

/// <summary>
/// S3 settings: the standard AWS variables (<c>AWS_REGION</c>, <c>AWS_ACCESS_KEY_ID</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_S3_BUCKET_NAME</c>, <c>AWS_ENDPOINT_URL_S3</c>) plus
/// <c>Storage:S3:PartSizeBytes</c> (default 16 MiB, at least 5 MiB), <c>Storage:S3:ConcurrentParts</c> (parts in flight at once, default 4), <c>Storage:S3:UrlExpiryMinutes</c>
/// (default 15, at most a day) and <c>Storage:S3:KeyPrefix</c> (default <c>stremora/</c>: every object and multipart
/// upload of this service lives under it, which is what the abandoned-upload sweep looks at).
/// Configured when the bucket is set; without keys the SDK's default credential chain is used.
/// </summary>
internal sealed class S3Options
{
    public const long MinPartSizeBytes = 5L * 1024 * 1024;
    public const long MaxPartSizeBytes = 5L * 1024 * 1024 * 1024;

    public string? Region { get; set; }

    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    public string? BucketName { get; set; }

    public string? ServiceUrl { get; set; }

    /// <summary>
    /// <c>Storage:S3:PublicServiceUrl</c>: the same store as browsers reach it, when that is not <see cref="ServiceUrl"/>
    /// (docker-compose: the service talks to <c>http://minio:9000</c>, a browser to <c>http://127.0.0.1:9000</c>).
    /// Only presigned URLs use it; a signature covers the host, so the URL is signed for this address.
    /// </summary>
    public string? PublicServiceUrl { get; set; }

    public long PartSizeBytes { get; set; } = 16L * 1024 * 1024;

    public int ConcurrentParts { get; set; } = 4;

    public const double MaxUrlExpiryMinutes = 24 * 60;

    /// <summary>
    /// A presigned URL cannot be revoked: this bounds how long one handed out before a delete works should the file's
    /// removal fail (when it succeeds, seconds after the delete, the URL finds nothing). Each instance reuses one for half of it.
    /// </summary>
    public double UrlExpiryMinutes { get; set; } = 15;

    /// <summary>Always a folder: <c>stremora</c> becomes <c>stremora/</c>, so <c>stremora-backups/</c> beside it is never listed or swept.</summary>
    public string KeyPrefix
    {
        get => _keyPrefix;
        set => _keyPrefix = string.IsNullOrWhiteSpace(value) ? "" : value.Trim().TrimEnd('/') + "/";
    }

    private string _keyPrefix = "stremora/";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(BucketName);

    public void ReadEnvironmentNames(IConfiguration configuration)
    {
        Region = configuration["AWS_REGION"] ?? Region;
        AccessKeyId = configuration["AWS_ACCESS_KEY_ID"] ?? AccessKeyId;
        SecretAccessKey = configuration["AWS_SECRET_ACCESS_KEY"] ?? SecretAccessKey;
        BucketName = configuration["AWS_S3_BUCKET_NAME"] ?? BucketName;
        ServiceUrl = configuration["AWS_ENDPOINT_URL_S3"] ?? ServiceUrl;
    }
}

/// <summary>Start-up validation naming the variable; never echoes a value.</summary>
internal sealed class S3OptionsValidator : IValidateOptions<S3Options>
{
    public ValidateOptionsResult Validate(string? name, S3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.PartSizeBytes is < S3Options.MinPartSizeBytes or > S3Options.MaxPartSizeBytes)
        {
            failures.Add("Storage:S3:PartSizeBytes must be between 5 MiB (5242880) and 5 GiB.");
        }

        if (options.ConcurrentParts is < 1 or > 32)
        {
            failures.Add("Storage:S3:ConcurrentParts must be between 1 and 32.");
        }

        // Short by design (SigV4 would allow 7 days): a URL handed out before a delete keeps working until it expires.
        if (options.UrlExpiryMinutes is < 1 or > S3Options.MaxUrlExpiryMinutes)
        {
            failures.Add("Storage:S3:UrlExpiryMinutes must be between 1 and 1440 (a day).");
        }

        if (!string.IsNullOrEmpty(options.ServiceUrl)
            && (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add("AWS_ENDPOINT_URL_S3 must be an absolute http:// or https:// URL.");
        }

        if (!string.IsNullOrEmpty(options.PublicServiceUrl)
            && (!Uri.TryCreate(options.PublicServiceUrl, UriKind.Absolute, out var publicEndpoint) || (publicEndpoint.Scheme != Uri.UriSchemeHttp && publicEndpoint.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add("Storage:S3:PublicServiceUrl must be an absolute http:// or https:// URL.");
        }

        if (string.IsNullOrEmpty(options.AccessKeyId) != string.IsNullOrEmpty(options.SecretAccessKey))
        {
            failures.Add("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together.");
        }

        if (options.IsConfigured && string.IsNullOrWhiteSpace(options.Region) && string.IsNullOrEmpty(options.ServiceUrl))
        {
            failures.Add("AWS_REGION is required when AWS_S3_BUCKET_NAME is set.");
        }

        if (options.KeyPrefix.StartsWith('/') || options.KeyPrefix.Contains("..", StringComparison.Ordinal))
        {
            failures.Add("Storage:S3:KeyPrefix must be a relative key prefix such as 'stremora/'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
