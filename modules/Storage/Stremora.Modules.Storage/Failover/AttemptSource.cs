namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// One attempt's view of the spool. It notes when the provider last took bytes, and how long it has
/// waited for the client's bytes (not the provider's fault), so the chain can time out a provider
/// that stalls without punishing a slow client.
/// </summary>
/// <param name="hashesMd5">The provider reports an MD5 to compare: its first read of the spool (it is reachable) starts the spool's MD5 pass.</param>
internal sealed class AttemptSource(SpoolTee spool, TimeProvider time, bool hashesMd5 = false) : ISpooledSource
{
    private readonly Lock _gate = new();
    private int _waiting;
    private long _waitStarted;
    private TimeSpan _waited;
    private long _lastProgress = time.GetTimestamp();

    public long? TotalLength => spool.TotalLength;

    /// <summary>Zero while the provider waits for the client; otherwise how long since it last took bytes.</summary>
    public TimeSpan IdleFor =>
        Volatile.Read(ref _waiting) > 0 ? TimeSpan.Zero : time.GetElapsedTime(Interlocked.Read(ref _lastProgress));

    /// <summary>How long this attempt has spent waiting for the client's bytes, so far: time that is not the provider's.</summary>
    public TimeSpan WaitedForClient
    {
        get
        {
            lock (_gate)
            {
                return _waiting > 0 ? _waited + time.GetElapsedTime(_waitStarted) : _waited;
            }
        }
    }

    public async ValueTask<long> WaitForAsync(long offset, long count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_waiting++ == 0)
            {
                _waitStarted = time.GetTimestamp();
            }
        }

        try
        {
            return await spool.WaitForAsync(offset, count, cancellationToken);
        }
        finally
        {
            Touch();
            lock (_gate)
            {
                if (--_waiting == 0)
                {
                    _waited += time.GetElapsedTime(_waitStarted);
                }
            }
        }
    }

    public Stream OpenRange(long offset, long length)
    {
        var stream = (SpoolRangeStream)spool.OpenRange(offset, length);
        stream.OnRead = _ => TookBytes();
        Touch();
        return stream;
    }

    private void TookBytes()
    {
        Touch();
        if (hashesMd5)
        {
            _ = spool.Md5Async();
        }
    }

    private void Touch() => Interlocked.Exchange(ref _lastProgress, time.GetTimestamp());
}
