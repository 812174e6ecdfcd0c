namespace Stremora.Modules.Videos.StorageMaintenance;

/// <summary>A maintenance job was queued: its result appears at <paramref name="StatusUrl"/> (lastRun.jobId) and in the dashboard.</summary>
internal sealed record MaintenanceJobAccepted(string JobId, string StatusUrl)
{
    public const string Status = "/api/admin/storage/maintenance";
}
