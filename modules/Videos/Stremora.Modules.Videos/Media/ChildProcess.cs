using System.Diagnostics;
using System.Text;

namespace Stremora.Modules.Videos.Media;

/// <summary>How a child process ended: its exit code and standard output, or that it ran out of time.</summary>
internal sealed record ChildProcessResult(int ExitCode, string Output, bool TimedOut, bool OutputTooLarge)
{
    public bool Succeeded => !TimedOut && !OutputTooLarge && ExitCode == 0;
}

/// <summary>
/// Runs ffprobe/ffmpeg bounded: arguments as a list (no shell), a time limit after which the whole process tree is
/// killed, standard output read up to a cap, standard error drained and dropped (it may quote the file's bytes).
/// </summary>
internal static class ChildProcess
{
    private const int MaxErrorChars = 64 * 1024;

    public static async Task<ChildProcessResult> RunAsync(string binary, IReadOnlyList<string> arguments, TimeSpan timeout, int maxOutputChars, CancellationToken ct)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        process.Start();
        process.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var output = ReadCappedAsync(process.StandardOutput, maxOutputChars, limit.Token);
        var errors = ReadCappedAsync(process.StandardError, MaxErrorChars, limit.Token);
        try
        {
            var (text, tooLarge) = await output;
            if (tooLarge)
            {
                Kill(process);
                return new ChildProcessResult(-1, "", TimedOut: false, OutputTooLarge: true);
            }

            await errors;
            await process.WaitForExitAsync(limit.Token);
            return new ChildProcessResult(process.ExitCode, text, TimedOut: false, OutputTooLarge: false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            ct.ThrowIfCancellationRequested();
            return new ChildProcessResult(-1, "", TimedOut: true, OutputTooLarge: false);
        }
    }

    private static async Task<(string Text, bool TooLarge)> ReadCappedAsync(StreamReader reader, int maxChars, CancellationToken ct)
    {
        var text = new StringBuilder();
        var buffer = new char[8192];
        while (true)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(), ct);
            if (read == 0)
            {
                return (text.ToString(), false);
            }

            if (text.Length + read > maxChars)
            {
                return ("", true);
            }

            text.Append(buffer, 0, read);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }
    }
}
