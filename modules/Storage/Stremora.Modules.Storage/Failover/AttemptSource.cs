namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// One attempt's view of the spool. It notes when the provider last took bytes, and whether it is
/// waiting for the client's bytes (not the provider's fault), so the chain can time out a provider
/// that stalls without punishing a slow client.
/// </summary>
internal sealed class AttemptSource(SpoolTee spool, TimeProvider time) : ISpooledSource
{
    private int _waiting;
    private long _lastProgress = time.GetTimestamp();

    public long? TotalLength => spool.TotalLength;

    /// <summary>Zero while the provider waits for the client; otherwise how long since it last took bytes.</summary>
    public TimeSpan IdleFor =>
        Volatile.Read(ref _waiting) > 0 ? TimeSpan.Zero : time.GetElapsedTime(Interlocked.Read(ref _lastProgress));

    public async ValueTask<long> WaitForAsync(long offset, long count, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            return await spool.WaitForAsync(offset, count, cancellationToken);
        }
        finally
        {
            Touch();
            Interlocked.Decrement(ref _waiting);
        }
    }

    public Stream OpenRange(long offset, long length)
    {
        var stream = (SpoolRangeStream)spool.OpenRange(offset, length);
        stream.OnRead = _ => Touch();
        Touch();
        return stream;
    }

    private void Touch() => Interlocked.Exchange(ref _lastProgress, time.GetTimestamp());
}
