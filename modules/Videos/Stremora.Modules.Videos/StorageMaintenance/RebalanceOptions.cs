namespace Stremora.Modules.Videos.StorageMaintenance;

/// <summary>Return-to-primary (<c>Storage:Rebalance:*</c>, or <c>Storage__Rebalance__*</c> in the environment).</summary>
internal sealed class RebalanceOptions
{
    public const string Section = "Storage:Rebalance";

    /// <summary>Off: no recurring job, and the admin route answers 409.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the recurring job runs (cron, UTC).</summary>
    public string Cron { get; set; } = "*/30 * * * *";

    /// <summary>At most this many files are copied per run, so a recovery does not flood the primary.</summary>
    public int MaxFilesPerRun { get; set; } = 20;

    /// <summary>Longest one file's copy may take before it is abandoned (the video stays where it is).</summary>
    public int CopyTimeoutMinutes { get; set; } = 120;
}
