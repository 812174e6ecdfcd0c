using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Failover;
using Stremora.TestKit.Host;

namespace Stremora.Modules.Storage.Tests.Failover;

public sealed class StorageOptionsTests
{
    [Theory]
    [InlineData("Storage__Order", "cloudinary,dropbox", "Storage:Order names unknown provider(s) dropbox")]
    [InlineData("Storage__CircuitBreaker__BreakDurationSeconds", "0", "Storage:CircuitBreaker:BreakDurationSeconds must be at least 0.5.")]
    [InlineData("AWS_ENDPOINT_URL_S3", "ftp://files.example", "AWS_ENDPOINT_URL_S3 must be an absolute http:// or https:// URL.")]
    public async Task The_api_refuses_to_start_with_bad_storage_settings_and_names_the_setting(string key, string value, string expected)
    {
        var (exitCode, output) = await RunApiAsync(key, value);

        Assert.Equal(1, exitCode);
        Assert.Contains("Stremora cannot start, invalid configuration", output, StringComparison.Ordinal);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    /// <summary>Runs the real API process (the host turns validation failures into one line and exit code 1).</summary>
    private static Task<(int ExitCode, string Output)> RunApiAsync(string key, string value) =>
        ApiProcess.RunToExitAsync(new ApiProcessOptions
        {
            Settings = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Auth__SigningKey"] = "a-signing-key-that-is-long-enough-0123456789",
                ["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=1;Username=x;Database=x",
                [key] = value,
            },
        });

    [Fact]
    public void Circuit_breaker_and_timeout_settings_are_checked_with_the_setting_named()
    {
        var options = new StorageOptions();
        options.CircuitBreaker.MinimumThroughput = 1;
        options.CircuitBreaker.BreakDurationSeconds = 0.1;
        options.Providers["s3"] = new ProviderAttemptSettings { IdleTimeoutSeconds = 0 };

        var result = new StorageOptionsValidator().Validate(null, options);

        Assert.Equal(
            [
                "Storage:CircuitBreaker:MinimumThroughput must be at least 2.",
                "Storage:CircuitBreaker:BreakDurationSeconds must be at least 0.5.",
                "Storage:Providers:s3:IdleTimeoutSeconds must be positive.",
            ],
            result.Failures);
    }

    [Fact]
    public void Provider_settings_bind_from_configuration_keys()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Order"] = "s3",
                ["Storage:Providers:cloudinary:TimeoutSeconds"] = "90",
                ["Storage:Providers:cloudinary:IdleTimeoutSeconds"] = "7.5",
                ["Storage:CircuitBreaker:BreakDurationSeconds"] = "12",
            })
            .Build();
        var options = new StorageOptions();

        configuration.GetSection("Storage").Bind(options);

        Assert.Equal(["s3"], options.OrderedNames);
        Assert.Equal(90, options.AttemptSettingsFor("Cloudinary").TimeoutSeconds);
        Assert.Equal(7.5, options.AttemptSettingsFor("cloudinary").IdleTimeoutSeconds);
        Assert.Equal(120, options.AttemptSettingsFor("s3").IdleTimeoutSeconds);
        Assert.Equal(12, options.CircuitBreaker.BreakDurationSeconds);
    }
}
