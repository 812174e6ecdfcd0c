using Microsoft.Extensions.Options;

namespace Stremora.Modules.Videos.Media;

/// <summary>
/// <c>Media__*</c>: where ffprobe and ffmpeg are (default: found on PATH), whether uploads are analysed at all, and
/// how long each child process may run.
/// </summary>
internal sealed class MediaOptions
{
    public const string Section = "Media";

    /// <summary>Off only when the operator says so: then no media, no posters, and no need for the binaries.</summary>
    public bool Analyze { get; set; } = true;

    /// <summary>Make a poster frame for a video sent without a thumbnail (on unless turned off).</summary>
    public bool Posters { get; set; } = true;

    public string? FfprobePath { get; set; }

    public string? FfmpegPath { get; set; }

    public int ProbeTimeoutSeconds { get; set; } = 30;

    public int PosterTimeoutSeconds { get; set; } = 30;

    /// <summary>How often the back-fill analyses stored videos that have no media yet (cron, UTC).</summary>
    public string BackfillCron { get; set; } = "45 4 * * *";

    /// <summary>How many videos one back-fill run analyses at most (the next run resumes where it stopped).</summary>
    public int BackfillMaxVideosPerRun { get; set; } = 500;

    /// <summary>The ffprobe binary to run: the configured path when it is a file, else the first <c>ffprobe</c> on PATH.</summary>
    public string? ResolvedFfprobe => Resolve(FfprobePath, "ffprobe");

    public string? ResolvedFfmpeg => Resolve(FfmpegPath, "ffmpeg");

    private static string? Resolve(string? configured, string name)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>Start-up refuses, with one message naming the setting, when analysis is on and a binary cannot be found.</summary>
internal sealed class MediaOptionsValidator : IValidateOptions<MediaOptions>
{
    public ValidateOptionsResult Validate(string? name, MediaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ProbeTimeoutSeconds < 1 || options.PosterTimeoutSeconds < 1)
        {
            return ValidateOptionsResult.Fail("Media__ProbeTimeoutSeconds and Media__PosterTimeoutSeconds must be at least 1 second.");
        }

        if (string.IsNullOrWhiteSpace(options.BackfillCron))
        {
            return ValidateOptionsResult.Fail("Media__BackfillCron must be a cron expression.");
        }

        if (options.BackfillMaxVideosPerRun < 1)
        {
            return ValidateOptionsResult.Fail("Media__BackfillMaxVideosPerRun must be at least 1.");
        }

        if (!options.Analyze)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.ResolvedFfprobe is null)
        {
            return ValidateOptionsResult.Fail(Missing("Media__FfprobePath", "ffprobe", options.FfprobePath));
        }

        return options.ResolvedFfmpeg is null
            ? ValidateOptionsResult.Fail(Missing("Media__FfmpegPath", "ffmpeg", options.FfmpegPath))
            : ValidateOptionsResult.Success;
    }

    private static string Missing(string setting, string binary, string? configured) =>
        (string.IsNullOrWhiteSpace(configured) ? $"{setting}: {binary} was not found on PATH" : $"{setting} does not name an existing file")
        + $". Install ffmpeg (Debian's ffmpeg package), set {setting} to the {binary} binary, or set Media__Analyze=false to run without media analysis and posters.";
}
