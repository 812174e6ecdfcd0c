using System.Security.Cryptography;

namespace Stremora.Modules.Storage.Cloudinary;

/// <summary>
/// MD5 of the bytes as they are sent, to compare with the <c>etag</c> Cloudinary answers (the MD5 of what it
/// stored): chunks out of order or altered on the way then fail the attempt instead of passing the size check.
/// Bytes are hashed in file order as the HTTP client reads them; a body read twice (a rewound stream) is not
/// hashed twice. MD5 here is Cloudinary's checksum, not a security measure.
/// </summary>
internal sealed class SentBytesMd5 : IDisposable
{
#pragma warning disable CA5351 // Cloudinary's etag is an MD5: the checksum to compare, not a security boundary.
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
    private long _hashedUpTo;

    /// <summary>Wraps a chunk's body (which starts at <paramref name="offset"/> of the file) so that reading it feeds the hash.</summary>
    public Stream Observe(Stream body, long offset) => new ObservedStream(body, offset, this);

    /// <summary>Lower-case hex MD5 once exactly <paramref name="length"/> bytes from offset 0 were hashed; otherwise null.</summary>
    public string? HexFor(long length) =>
        _hashedUpTo == length ? Convert.ToHexStringLower(_md5.GetCurrentHash()) : null;

    public void Dispose() => _md5.Dispose();

    private void Append(long offset, ReadOnlySpan<byte> read)
    {
        // Only the bytes that extend the hashed prefix: a re-read of earlier bytes, or a gap, adds nothing.
        var skip = _hashedUpTo - offset;
        if (skip < 0 || skip >= read.Length)
        {
            return;
        }

        _md5.AppendData(read[(int)skip..]);
        _hashedUpTo = offset + read.Length;
    }

    private sealed class ObservedStream(Stream inner, long start, SentBytesMd5 digest) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var at = start + inner.Position;
            var n = inner.Read(buffer);
            digest.Append(at, buffer[..n]);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var at = start + inner.Position;
            var n = await inner.ReadAsync(buffer, cancellationToken);
            digest.Append(at, buffer.Span[..n]);
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
