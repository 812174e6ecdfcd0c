using System.Security.Cryptography;

namespace Stremora.TestKit.Streams;

/// <summary>
/// A non-seekable stream of <paramref name="length"/> pseudo-random bytes, generated as it is read
/// (so a multi-hundred-MB upload costs no memory) and hashed on the way: <see cref="Sha256"/> is the
/// SHA-256 of everything read once the end is reached. Optionally fails after a number of bytes, as a
/// client whose connection drops would.
/// </summary>
public sealed class GeneratedStream(long length, ulong seed = 0x9E3779B97F4A7C15, long? failAfter = null) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ulong _state = seed == 0 ? 1 : seed;
    private long _position;

    public string? Sha256 { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (failAfter is { } limit && _position >= limit)
        {
            throw new IOException("The client connection dropped.");
        }

        var n = (int)Math.Min(buffer.Length, length - _position);
        if (failAfter is { } stop)
        {
            n = (int)Math.Min(n, stop - _position);
        }

        for (var i = 0; i < n; i++)
        {
            // xorshift64: fast and deterministic; the top byte is well mixed.
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            buffer[i] = (byte)(_state >> 56);
        }

        _hash.AppendData(buffer[..n]);
        _position += n;
        if (_position == length && Sha256 is null)
        {
            Sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        }

        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
