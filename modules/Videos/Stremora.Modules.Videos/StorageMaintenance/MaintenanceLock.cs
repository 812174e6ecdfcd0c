using Hangfire;
using Hangfire.Storage;

namespace Stremora.Modules.Videos.StorageMaintenance;

/// <summary>
/// Return-to-primary and reconciliation never run at the same time, on any instance: a copy in flight
/// is an unclaimed file on the primary, which reconciliation would otherwise take for an orphan.
/// </summary>
internal static class MaintenanceLock
{
    private const string Resource = "stremora:storage-maintenance";

    /// <returns>The held lock, or null when another job holds it.</returns>
    public static IDisposable? TryAcquire(JobStorage storage, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var connection = storage.GetConnection();
        try
        {
            var held = connection.AcquireDistributedLock(Resource, wait);
            return new Held(held, connection);
        }
        catch (DistributedLockTimeoutException)
        {
            connection.Dispose();
            return null;
        }
    }

    private sealed class Held(IDisposable held, IDisposable connection) : IDisposable
    {
        public void Dispose()
        {
            held.Dispose();
            connection.Dispose();
        }
    }
}
