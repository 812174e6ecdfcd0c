using System.Security.Cryptography;

namespace Stremora.Modules.Storage.Tests.Failover;

/// <summary>
/// A read-only stream of <c>length</c> pseudo-random bytes that opens with an MP4 <c>ftyp</c> box, made
/// as it is read (a 150 MB upload costs no test memory). It hashes what it hands out, so the expected
/// SHA-256 is known once the upload has read it to the end.
/// </summary>
internal sealed class GeneratedVideo : Stream
{
    // size 24, "ftyp", major brand "isom", minor version 0x200, compatible brands "isom" "mp42".
    private static readonly byte[] FtypBox =
        [0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0, 0, 2, 0,
         (byte)'i', (byte)'s', (byte)'o', (byte)'m', (byte)'m', (byte)'p', (byte)'4', (byte)'2'];

    private const long ProgressStep = 8 * 1024 * 1024;

    private readonly long _length;
    private readonly Random _random;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;
    private string? _sha256;

    public GeneratedVideo(long length, int seed = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, FtypBox.Length);
        _length = length;
        _random = new Random(seed);
    }

    /// <summary>Called each time another 8 MiB have been read (the memory tests sample there).</summary>
    public Action? EveryEightMiB { get; init; }

    /// <summary>When set, reading past this many bytes throws <see cref="IOException"/>, as a client that goes away mid-upload.</summary>
    public long? FailAfterBytes { get; init; }

    /// <summary>Awaited before failing, so a test can let the client go away at a chosen moment of the upload.</summary>
    public Func<Task>? BeforeFailing { get; init; }

    /// <summary>Lower-case hex SHA-256 of every byte handed out; only once the stream was read to its end.</summary>
    public string Sha256 => _sha256 ?? throw new InvalidOperationException($"Only {_position} of {_length} bytes were read.");

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= FailAfterBytes)
        {
            throw new IOException("The client went away mid-upload.");
        }

        var n = (int)Math.Min(buffer.Length, Math.Min(_length, FailAfterBytes ?? long.MaxValue) - _position);
        if (n == 0)
        {
            _sha256 ??= Convert.ToHexStringLower(_hash.GetHashAndReset());
            return 0;
        }

        var target = buffer[..n];
        _random.NextBytes(target);
        if (_position < FtypBox.Length)
        {
            var header = FtypBox.AsSpan((int)_position, Math.Min(n, FtypBox.Length - (int)_position));
            header.CopyTo(target);
        }

        _hash.AppendData(target);
        var before = _position / ProgressStep;
        _position += n;
        if (_position / ProgressStep != before)
        {
            EveryEightMiB?.Invoke();
        }
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_position >= FailAfterBytes && BeforeFailing is { } gate)
        {
            await gate();
        }

        return Read(buffer.Span);
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
