using System.Diagnostics;

namespace Stremora.OperationsTests.Infrastructure;

/// <summary>The Debian tools these tests drive (prometheus, promtool, nginx), found on PATH or in sbin.</summary>
public static class Tools
{
    public static string Find(string name)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin"]);
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
               ?? throw new InvalidOperationException($"'{name}' is not installed: ./stremora test installs Debian's nginx and prometheus packages.");
    }

    /// <summary>Runs a tool with the given standard input; its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string name, string input, params string[] arguments)
    {
        var start = new ProcessStartInfo(Find(name))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
