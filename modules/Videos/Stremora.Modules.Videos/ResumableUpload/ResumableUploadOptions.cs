namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>Resumable uploads (<c>Uploads:*</c>, or <c>Uploads__*</c> in the environment).</summary>
internal sealed class ResumableUploadOptions
{
    public const string Section = "Uploads";

    /// <summary>An unfinished upload untouched this long expires (each chunk renews it): its staged bytes go, the video fails.</summary>
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Where the bytes of unfinished uploads wait, one file per upload: a folder every instance reaches (a shared
    /// volume when there are several). Relative paths are under the content root; by default <c>.data/uploads</c>.
    /// </summary>
    public string StagingRoot { get; set; } = Path.Combine(".data", "uploads");

    /// <summary>How often expired uploads are removed (cron).</summary>
    public string ExpirySweepCron { get; set; } = "*/15 * * * *";

    /// <summary>Tries at storing a completed upload before it is marked failed (the first is the last chunk's request).</summary>
    public int MaxStoreAttempts { get; set; } = 8;

    /// <summary>Delay before the first retry of a completed upload's storing; it doubles for each one after (at most an hour).</summary>
    public int StoreRetryDelaySeconds { get; set; } = 30;

    /// <summary>
    /// A forwarder (storing an upload's bytes while they arrive) that sees no new chunk this long gives up and leaves
    /// nothing on any provider; the next chunk starts a new one from byte 0.
    /// </summary>
    public int ForwardIdleSeconds { get; set; } = 120;

    public TimeSpan StoreRetryDelay(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(StoreRetryDelaySeconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 20)), 3600));
}
