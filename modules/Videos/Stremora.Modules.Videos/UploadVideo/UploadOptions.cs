namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>Upload limits and the abandoned-upload sweep (<c>Upload:*</c>, or <c>Upload__*</c> in the environment).</summary>
internal sealed class UploadOptions
{
    public const string Section = "Upload";

    /// <summary>Room for the multipart framing and the text fields on top of the two files.</summary>
    public const long FormOverheadBytes = 1024 * 1024;

    public long MaxVideoBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    public long MaxThumbnailBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>An upload still "uploading" after this long is taken for dead (its process crashed) and swept.</summary>
    public TimeSpan AbandonedAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often the sweep runs (cron).</summary>
    public string SweepCron { get; set; } = "*/10 * * * *";

    /// <summary>
    /// Slowest body an upload may send once its grace period is over (Kestrel's default minimum, 240 B/s):
    /// a client that stalls (slow-loris) is cut off with a 408 instead of holding a request and a spool file open.
    /// </summary>
    public double MinBodyBytesPerSecond { get; set; } = 240;

    /// <summary>How long an upload body may run below <see cref="MinBodyBytesPerSecond"/> before it is cut off (must be over 1 s).</summary>
    public double BodyRateGracePeriodSeconds { get; set; } = 10;

    public long MaxRequestBytes => MaxVideoBytes + MaxThumbnailBytes + FormOverheadBytes;
}
