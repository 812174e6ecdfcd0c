namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// The protocol's state of one resumable upload (its id is the video id): how long it is, how much of it is staged
/// durably, what the client said about it, and when it expires. The video's lifecycle itself is on its event stream;
/// this document changes with every chunk, which the stream should not. Removed when the upload fails.
/// </summary>
internal sealed record ResumableUpload
{
    public Guid Id { get; init; }

    public long Length { get; init; }

    /// <summary>Bytes staged and flushed to disk: what HEAD reports and the next chunk must start at.</summary>
    public long Offset { get; init; }

    /// <summary>Upload-Metadata as the client sent it, answered back by HEAD.</summary>
    public string? Metadata { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public bool IsComplete => Offset == Length;

    /// <summary>The key of the upload's PostgreSQL advisory lock: one chunk (or one storing) at a time, on any instance.</summary>
    public static long LockKey(Guid id) => BitConverter.ToInt64(id.ToByteArray(), 8) ^ 0x5455_5355_504C_4F41;

    /// <summary>
    /// The key of the upload's storing lock, apart from the writer's: held by its forwarder while bytes still arrive, or
    /// by whoever stores the completed upload from the staged file; one store of an upload at a time, on any instance.
    /// </summary>
    public static long StoringLockKey(Guid id) => BitConverter.ToInt64(id.ToByteArray(), 8) ^ 0x4657_4152_4449_4E47;
}
