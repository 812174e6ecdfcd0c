using Microsoft.Win32.SafeHandles;

namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// A read-only, seekable window [offset, offset+length) over the spool file. Seekable with a known
/// Length so HTTP clients and the AWS SDK can send it as a body (and rewind it on a retry) without
/// copying it into memory. It reads through the spool's own handle, which the spool closes.
/// </summary>
internal sealed class SpoolRangeStream : Stream
{
    private readonly SafeFileHandle _file;
    private readonly long _start;
    private readonly long _length;
    private long _position;

    public SpoolRangeStream(SafeFileHandle file, long offset, long length)
    {
        // Positional reads on a synchronous handle, even from ReadAsync: the bytes were just written and come from the
        // page cache; Linux "async" file reads are the same pread behind a thread-pool hop (./stremora bench).
        _file = file;
        _start = offset;
        _length = length;
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
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = RandomAccess.Read(_file, buffer[..Clamp(buffer.Length)], _start + _position);
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
