namespace Stremora.Modules.Videos;

/// <summary>Upload limits (<c>Upload:*</c>, or <c>Upload__*</c> in the environment); the sweep's settings share the section.</summary>
internal sealed class UploadOptions
{
    public const string Section = "Upload";

    /// <summary>Room for the multipart framing and the text fields on top of the two files.</summary>
    public const long FormOverheadBytes = 1024 * 1024;

    public long MaxVideoBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    public long MaxThumbnailBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>
    /// Slowest body an upload may send once its grace period is over (Kestrel's default minimum, 240 B/s):
    /// a client that stalls (slow-loris) is cut off with a 408 instead of holding a request and a spool file open.
    /// </summary>
    public double MinBodyBytesPerSecond { get; set; } = 240;

    /// <summary>How long an upload body may run below <see cref="MinBodyBytesPerSecond"/> before it is cut off (must be over 1 s).</summary>
    public double BodyRateGracePeriodSeconds { get; set; } = 10;

    public long MaxRequestBytes => MaxVideoBytes + MaxThumbnailBytes + FormOverheadBytes;
}
