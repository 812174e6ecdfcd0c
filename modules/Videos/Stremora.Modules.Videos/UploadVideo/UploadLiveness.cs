using Npgsql;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// Whether an upload holding an Idempotency-Key is still running somewhere. Such an upload holds a shared advisory
/// lock on its video id from before its key is claimed until it ends; a process that dies loses its session and the
/// lock with it, so a retry knows at once that the key's upload is dead instead of waiting for the sweep.
/// </summary>
internal static class UploadLiveness
{
    /// <summary>"SUPL" in the high half, apart from the maintenance lock and Marten's small keys; the video id below.</summary>
    private const long Space = 0x5355_504C_0000_0000;

    public static Task<IAsyncDisposable> HoldAsync(NpgsqlDataSource database, Guid videoId, CancellationToken ct) =>
        AdvisoryLock.AcquireSharedAsync(database, KeyOf(videoId), ct);

    /// <summary>True while the upload's process lives (or, rarely, another upload shares its key: then it only looks alive).</summary>
    public static Task<bool> IsAliveAsync(NpgsqlDataSource database, Guid videoId, CancellationToken ct) =>
        AdvisoryLock.IsHeldAsync(database, KeyOf(videoId), ct);

    private static long KeyOf(Guid videoId)
    {
        Span<byte> bytes = stackalloc byte[16];
        videoId.TryWriteBytes(bytes);
        // Version 7 ids start with their time: the low bytes are the random ones.
        return Space | BitConverter.ToUInt32(bytes[12..]);
    }
}
