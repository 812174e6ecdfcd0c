using System.Diagnostics;

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

    private static async Task<(int ExitCode, string Output)> RunApiAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Stremora.Api.dll"));
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Auth__", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || k.StartsWith("CLOUDINARY", StringComparison.Ordinal) || k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
