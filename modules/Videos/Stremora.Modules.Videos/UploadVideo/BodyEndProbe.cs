namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// Passes the request body through and remembers whether it reached its end. When the multipart reader
/// then fails, the client sent a complete but malformed body (400), not a broken connection or a
/// failing disk (which must not be blamed on the client). Forward-only, read-only.
/// </summary>
internal sealed class BodyEndProbe(Stream body) : Stream
{
    public bool Ended { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await body.ReadAsync(buffer, cancellationToken);
        Ended |= n == 0 && buffer.Length > 0;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The request body is read asynchronously only.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
