using Npgsql;

namespace Stremora.Modules.Videos.StorageMaintenance;

/// <summary>
/// Return-to-primary and reconciliation never run at the same time, on any instance: a copy in flight
/// is an unclaimed file on the primary, which reconciliation would otherwise take for an orphan.
/// A session advisory lock (<see cref="AdvisoryLock"/>) held for the whole job: it cannot expire
/// under a long copy, only its holder releases it, and a holder that dies releases it with its session.
/// </summary>
internal static class MaintenanceLock
{
    /// <summary>The lock's key in the database's one advisory-lock space ("STRMAINT" in ASCII), apart from Marten's.</summary>
    public const long Key = 0x5354_524D_4149_4E54;

    /// <returns>The held lock (dispose to release it), or null when another job holds it.</returns>
    public static Task<IAsyncDisposable?> TryAcquireAsync(NpgsqlDataSource database, CancellationToken cancellationToken) =>
        AdvisoryLock.TryAcquireAsync(database, Key, cancellationToken);
}
