using System.Globalization;

namespace Stremora.Modules.Videos.Media;

/// <summary>
/// One representative frame as a JPEG: ffmpeg seeks to about 10 % in (past fades from black), lets its thumbnail
/// filter pick the most typical of the next frames, and scales it to at most 640 pixels wide, rotated as displayed.
/// </summary>
internal static class PosterFrame
{
    private const int MaxOutputChars = 64 * 1024;

    /// <summary>From the upload's spool file (local files only).</summary>
    /// <returns>Null when <paramref name="output"/> holds the JPEG; otherwise why it could not be made.</returns>
    public static Task<string?> MakeAsync(MediaOptions options, string path, VideoMedia media, string output, CancellationToken ct) =>
        MakeAsync(options, "file:" + path, MediaFormats.FileProtocols, media, output, ct);

    /// <summary>
    /// From a stored file's provider URL (the back-fill): ffmpeg seeks with range requests and reads only the frames it
    /// decodes. The URL is the one storage gives for the stored file, never one a client chose.
    /// </summary>
    /// <returns>Null when <paramref name="output"/> holds the JPEG; otherwise why it could not be made.</returns>
    public static Task<string?> MakeAsync(MediaOptions options, Uri storedFileUrl, VideoMedia media, string output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(storedFileUrl);
        if (storedFileUrl.Scheme != Uri.UriSchemeHttp && storedFileUrl.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Only http(s) URLs are read, not {storedFileUrl.Scheme}.", nameof(storedFileUrl));
        }

        return MakeAsync(options, storedFileUrl.AbsoluteUri, MediaFormats.HttpProtocols, media, output, ct);
    }

    private static async Task<string?> MakeAsync(MediaOptions options, string input, string protocols, VideoMedia media, string output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(media);
        var ffmpeg = options.ResolvedFfmpeg ?? throw new InvalidOperationException("Media analysis is on but ffmpeg was not found (checked at start-up).");
        var at = (media.DurationSeconds ?? 0) * 0.1;
        string[] arguments =
        [
            "-nostdin", "-v", "error", "-hide_banner",
            .. MediaFormats.InputLimits(protocols),
            "-ss", at.ToString("0.###", CultureInfo.InvariantCulture),
            "-i", input,
            "-map", "0:v:0", "-frames:v", "1",
            "-vf", "thumbnail=10,scale='min(640,iw)':-2",
            "-f", "image2", "-c:v", "mjpeg", "-q:v", "4",
            "-y", "file:" + output,
        ];
        var run = await ChildProcess.RunAsync(ffmpeg, arguments, TimeSpan.FromSeconds(options.PosterTimeoutSeconds), MaxOutputChars, ct);
        if (run.TimedOut)
        {
            return $"the poster frame could not be made within {options.PosterTimeoutSeconds} s";
        }

        return run.Succeeded && File.Exists(output) && new FileInfo(output).Length > 0
            ? null
            : $"ffmpeg could not make a poster frame (exit code {run.ExitCode})";
    }
}
