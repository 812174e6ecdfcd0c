namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// A read-only, seekable window [offset, offset+length) over the spool file. Seekable with a known
/// Length so HTTP clients and the AWS SDK can send it as a body (and rewind it on a retry) without
/// copying it into memory.
/// </summary>
internal sealed class SpoolRangeStream : Stream
{
    private readonly FileStream _file;
    private readonly long _start;
    private readonly long _length;
    private long _position;

    public SpoolRangeStream(string path, long offset, long length)
    {
        // ReadWrite|Delete: the writer is still appending and the spool may be deleted while we read.
        // Synchronous handle, read synchronously even from ReadAsync: the bytes were just written and come from the
        // page cache; Linux "async" file reads are the same pread behind a thread-pool hop (./stremora bench).
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.None);
        _start = offset;
        _length = length;
        _file.Position = offset;
    }

    /// <summary>Called after every read with the number of bytes read; the chain's idle watchdog listens.</summary>
    public Action<int>? OnRead { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, _length);
            _position = value;
            _file.Position = _start + value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _file.Read(buffer[..Clamp(buffer.Length)]);
        return Advance(n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync();
        await base.DisposeAsync();
    }

    private int Clamp(int requested) => (int)Math.Min(requested, _length - _position);

    private int Advance(int n)
    {
        _position += n;
        if (n > 0)
        {
            OnRead?.Invoke(n);
        }

        return n;
    }
}
