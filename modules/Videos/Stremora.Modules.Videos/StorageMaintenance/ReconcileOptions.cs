namespace Stremora.Modules.Videos.StorageMaintenance;

/// <summary>Reconciliation of providers and catalog (<c>Storage:Reconcile:*</c>, or <c>Storage__Reconcile__*</c> in the environment).</summary>
internal sealed class ReconcileOptions
{
    public const string Section = "Storage:Reconcile";

    /// <summary>Off: no recurring job, and the admin route answers 409.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the recurring job runs (cron, UTC).</summary>
    public string Cron { get; set; } = "15 3 * * *";

    /// <summary>
    /// A file no video claims is deleted only once it is older than this: uploads and moves in flight
    /// store their file a moment before the catalog records it.
    /// </summary>
    public int OrphanGraceMinutes { get; set; } = 24 * 60;

    /// <summary>
    /// Below this an upload or move still writing could lose its file. Only hosts in the <c>Testing</c> environment
    /// (the test kit's) may go under it, so tests need not wait an hour for an orphan.
    /// </summary>
    public const int MinimumOrphanGraceMinutes = 60;

    public const string TestingEnvironment = "Testing";
}
