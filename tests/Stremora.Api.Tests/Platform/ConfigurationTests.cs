using Stremora.TestKit.Host;

namespace Stremora.Api.Tests.Platform;

/// <summary>Start-up refuses bad configuration with one message naming the setting, never its value.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("", "postgres-ok", "Auth__SigningKey is required")]
    [InlineData("too-short-key", "postgres-ok", "Auth__SigningKey is too short")]
    [InlineData("a-signing-key-that-is-long-enough-0123456789", "", "ConnectionStrings__Postgres is required")]
    [InlineData("a-signing-key-that-is-long-enough-0123456789", "Host=127.0.0.1;Nonsense Key=1", "ConnectionStrings__Postgres is not a valid")]
    public async Task Invalid_settings_stop_the_process_with_a_message_naming_them(string signingKey, string postgres, string expected)
    {
        var (exitCode, output) = await RunApiAsync(new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = signingKey,
            ["ConnectionStrings__Postgres"] = postgres == "postgres-ok" ? "Host=127.0.0.1;Port=1;Username=x;Database=x" : postgres,
        });

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.Contains("Stremora cannot start, invalid configuration", output, StringComparison.Ordinal);
        if (signingKey.Length > 0)
        {
            Assert.DoesNotContain(signingKey, output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_invisibility_timeout_that_is_not_positive_stops_the_process()
    {
        var (exitCode, output) = await RunApiAsync(new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = "a-signing-key-that-is-long-enough-0123456789",
            ["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=1;Username=x;Database=x",
            ["Hangfire__InvisibilityTimeout"] = "00:00:00",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("Hangfire__InvisibilityTimeout must be a positive time span", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Media__FfprobePath", "Media__FfprobePath does not name an existing file")]
    [InlineData("Media__FfmpegPath", "Media__FfmpegPath does not name an existing file")]
    public async Task Media_analysis_without_its_binaries_stops_the_process_naming_the_setting(string setting, string expected)
    {
        var (exitCode, output) = await RunApiAsync(new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = "a-signing-key-that-is-long-enough-0123456789",
            ["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=1;Username=x;Database=x",
            [setting] = "/nowhere/stremora-missing-binary",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.Contains("Media__Analyze=false", output, StringComparison.Ordinal);
        Assert.DoesNotContain("/nowhere/", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_orphan_grace_period_under_the_safe_minimum_stops_the_process()
    {
        var (exitCode, output) = await RunApiAsync(new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = "a-signing-key-that-is-long-enough-0123456789",
            ["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=1;Username=x;Database=x",
            ["Storage__Reconcile__OrphanGraceMinutes"] = "0",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("Storage__Reconcile__OrphanGraceMinutes must be at least 60", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static Task<(int ExitCode, string Output)> RunApiAsync(Dictionary<string, string> environment) =>
        ApiProcess.RunToExitAsync(new ApiProcessOptions { Settings = environment });
}
