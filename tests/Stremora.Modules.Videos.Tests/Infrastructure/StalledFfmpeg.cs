namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>An ffmpeg that never finishes a poster frame: a script that outlives any poster budget a test gives it.</summary>
internal static class StalledFfmpeg
{
    /// <returns>The script's path, in <paramref name="folder"/> (created).</returns>
    public static async Task<string> WriteAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        var ffmpeg = Path.Combine(folder, "ffmpeg");
        await File.WriteAllTextAsync(ffmpeg, "#!/bin/sh\nexec sleep 60\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(ffmpeg, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return ffmpeg;
    }
}
