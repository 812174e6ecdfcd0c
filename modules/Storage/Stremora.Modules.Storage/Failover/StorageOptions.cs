using Microsoft.Extensions.Options;

namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// The <c>Storage</c> configuration section (environment: <c>Storage__Order</c>, ...).
/// <list type="bullet">
/// <item><c>Storage:Order</c>: providers to try, comma-separated (default <c>cloudinary,s3</c>); unconfigured ones are left out; none configured means local disk.</item>
/// <item><c>Storage:SpoolDirectory</c>: temp files of uploads in flight (default <c>{temp}/stremora-spool</c>).</item>
/// <item><c>Storage:Local:Root</c>: the local disk provider's folder (default <c>.data/media</c> under the content root).</item>
/// <item><c>Storage:Providers:{name}:TimeoutSeconds</c>: longest one attempt may take in all, not counting waits for the client's bytes (default 3600: multi-GB uploads).</item>
/// <item><c>Storage:Providers:{name}:IdleTimeoutSeconds</c>: longest an attempt may go without taking bytes or finishing, not counting waits for the client's bytes (default 120).</item>
/// <item><c>Storage:CircuitBreaker:MinimumThroughput</c> (default 5), <c>FailureRatio</c> (default 1.0),
/// <c>SamplingDurationSeconds</c> (default 300), <c>BreakDurationSeconds</c> (default 30): the circuit opens when at least
/// MinimumThroughput attempts within the sampling window failed at that ratio, and skips the provider for the break duration.
/// With FailureRatio 1.0 a success clears the window, so it opens after MinimumThroughput consecutive failures.</item>
/// </list>
/// </summary>
internal sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public string Order { get; set; } = "cloudinary,s3";

    public string? SpoolDirectory { get; set; }

    public LocalDiskOptions Local { get; set; } = new();

    public CircuitBreakerSettings CircuitBreaker { get; set; } = new();

    public Dictionary<string, ProviderAttemptSettings> Providers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> OrderedNames =>
        Order.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(n => n.ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .ToList();

    public string EffectiveSpoolDirectory =>
        string.IsNullOrWhiteSpace(SpoolDirectory) ? Path.Combine(Path.GetTempPath(), "stremora-spool") : SpoolDirectory;

    public ProviderAttemptSettings AttemptSettingsFor(string provider) =>
        Providers.TryGetValue(provider, out var settings) ? settings : new ProviderAttemptSettings();
}

internal sealed class LocalDiskOptions
{
    /// <summary>Absolute after start-up: a relative value is resolved against the content root.</summary>
    public string? Root { get; set; }
}

internal sealed class CircuitBreakerSettings
{
    public int MinimumThroughput { get; set; } = 5;

    public double FailureRatio { get; set; } = 1.0;

    public double SamplingDurationSeconds { get; set; } = 300;

    public double BreakDurationSeconds { get; set; } = 30;
}

internal sealed class ProviderAttemptSettings
{
    public double TimeoutSeconds { get; set; } = 3600;

    public double IdleTimeoutSeconds { get; set; } = 120;
}

/// <summary>Start-up validation of <c>Storage:Order</c> against the providers registered (each provider folder registers its name).</summary>
internal sealed class StorageOrderValidator(IEnumerable<StorageProviderName> registered) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var known = registered.Select(p => p.Name).ToList();
        var unknown = options.OrderedNames.Where(n => !known.Contains(n, StringComparer.Ordinal)).ToList();
        return unknown.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Storage:Order names unknown provider(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known)}.");
    }
}

/// <summary>Start-up validation: each message names the setting (never its value, which could be a path or secret-bearing).</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var breaker = options.CircuitBreaker;
        if (breaker.MinimumThroughput < 2)
        {
            failures.Add("Storage:CircuitBreaker:MinimumThroughput must be at least 2.");
        }

        if (breaker.FailureRatio is <= 0 or > 1)
        {
            failures.Add("Storage:CircuitBreaker:FailureRatio must be greater than 0 and at most 1.");
        }

        if (breaker.SamplingDurationSeconds < 0.5)
        {
            failures.Add("Storage:CircuitBreaker:SamplingDurationSeconds must be at least 0.5.");
        }

        if (breaker.BreakDurationSeconds < 0.5)
        {
            failures.Add("Storage:CircuitBreaker:BreakDurationSeconds must be at least 0.5.");
        }

        if (SpoolFolder.Refusal(options.EffectiveSpoolDirectory) is { } refusal)
        {
            failures.Add(refusal);
        }

        foreach (var (provider, settings) in options.Providers)
        {
            if (settings.TimeoutSeconds <= 0)
            {
                failures.Add($"Storage:Providers:{provider}:TimeoutSeconds must be positive.");
            }

            if (settings.IdleTimeoutSeconds <= 0)
            {
                failures.Add($"Storage:Providers:{provider}:IdleTimeoutSeconds must be positive.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
