using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Failover;
using Stremora.TestKit.Host;

namespace Stremora.Modules.Storage.Tests.Failover;

public sealed class StorageOptionsTests
{
    [Fact]
    public async Task The_host_refuses_to_start_with_an_unknown_provider_and_names_the_setting()
    {
        await using var api = new StremoraApiFactory().With("Storage:Order", "cloudinary,dropbox");
        await api.InitializeAsync();

        var error = Assert.Throws<OptionsValidationException>(() => api.CreateClient());

        Assert.Contains("Storage:Order names unknown provider(s) dropbox", error.Message, StringComparison.Ordinal);
    }

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
