namespace Stremora.Modules.Videos.AbandonedUploads;

/// <summary>The abandoned-upload sweep, in the upload settings (<c>Upload:AbandonedAfter</c>, <c>Upload:SweepCron</c>).</summary>
internal sealed class AbandonedUploadOptions
{
    public const string Section = "Upload";

    /// <summary>An upload still "uploading" after this long is taken for dead (its process crashed) and swept.</summary>
    public TimeSpan AbandonedAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often the sweep runs (cron).</summary>
    public string SweepCron { get; set; } = "*/10 * * * *";
}
