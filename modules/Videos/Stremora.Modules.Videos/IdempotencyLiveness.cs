using Npgsql;

namespace Stremora.Modules.Videos;

/// <summary>
/// Whether a request holding an Idempotency-Key (an upload, on its video id; a thumbnail replacement, on its own id)
/// is still running somewhere. It holds a shared advisory lock on that id from before its key is claimed until it
/// ends; a process that dies loses its session and the lock with it, so a retry knows at once that the key's request
/// is dead instead of waiting for the sweep.
/// </summary>
internal static class IdempotencyLiveness
{
    /// <summary>"SUPL" in the high half, apart from the maintenance lock and Marten's small keys; the holder's id below.</summary>
    private const long Space = 0x5355_504C_0000_0000;

    public static Task<IAsyncDisposable> HoldAsync(NpgsqlDataSource database, Guid holderId, CancellationToken ct) =>
        AdvisoryLock.AcquireSharedAsync(database, KeyOf(holderId), ct);

    /// <summary>True while the holder's process lives (or, rarely, another holder shares its lock key: then it only looks alive).</summary>
    public static Task<bool> IsAliveAsync(NpgsqlDataSource database, Guid holderId, CancellationToken ct) =>
        AdvisoryLock.IsHeldAsync(database, KeyOf(holderId), ct);

    private static long KeyOf(Guid holderId)
    {
        Span<byte> bytes = stackalloc byte[16];
        holderId.TryWriteBytes(bytes);
        // Version 7 ids start with their time: the low bytes are the random ones.
        return Space | BitConverter.ToUInt32(bytes[12..]);
    }
}
