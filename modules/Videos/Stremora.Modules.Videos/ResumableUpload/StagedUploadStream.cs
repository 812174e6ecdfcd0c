using Microsoft.Win32.SafeHandles;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// An upload's staged file read while its chunks still arrive, for the forwarder to hand to storage: it gives out
/// bytes only up to the upload's recorded offset (a chunk past it may still be discarded by a checksum mismatch or a
/// crash), waits for the next one (a signal from this instance's chunks, or a poll for chunks recorded elsewhere) and
/// ends at Upload-Length. It throws when the upload ended (<see cref="UploadEndedException"/>) or no byte came for the
/// idle time (<see cref="TimeoutException"/>): storage then aborts and keeps nothing on any provider. Storage reads
/// the staged file itself for its attempts (<see cref="IFileBackedSource"/>): the bytes are not copied into a spool.
/// </summary>
internal sealed class StagedUploadStream : Stream, IFileBackedSource
{
    /// <summary>How often the upload is looked at when no signal comes: chunks recorded by another instance signal nobody here.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly SafeFileHandle _file;
    private readonly Guid _id;
    private readonly long _length;
    private readonly Func<CancellationToken, Task<long?>> _recordedOffset;
    private readonly Forwarders _forwarders;
    private readonly TimeSpan _idle;
    private readonly TimeProvider _clock;
    private long _recorded;
    private long _position;

    /// <param name="recordedOffset">The upload's offset as recorded now; null once it ended (terminated, expired, failed).</param>
    public StagedUploadStream(string path, Guid id, long length, Func<CancellationToken, Task<long?>> recordedOffset, Forwarders forwarders, TimeSpan idle, TimeProvider clock)
    {
        // Unbuffered reads at explicit offsets: a read-ahead buffer could keep bytes past the recorded offset that are rewritten later.
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        FilePath = path;
        (_id, _length, _recordedOffset, _forwarders, _idle, _clock) = (id, length, recordedOffset, forwarders, idle, clock);
    }

    public string FilePath { get; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position == _length || buffer.Length == 0)
        {
            return 0;
        }

        if (_position == _recorded)
        {
            await WaitForBytesAsync(cancellationToken);
        }

        var wanted = (int)Math.Min(buffer.Length, _recorded - _position);
        var read = await RandomAccess.ReadAsync(_file, buffer[..wanted], _position, cancellationToken);
        if (read == 0)
        {
            throw new IOException($"Staged upload {_id} holds fewer bytes than its recorded offset {_recorded}: the staging folder lost bytes.");
        }

        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The staged upload is read asynchronously: it waits for chunks.");

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
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task WaitForBytesAsync(CancellationToken cancellationToken)
    {
        var since = _clock.GetTimestamp();
        while (true)
        {
            // Taken before looking, so a chunk recorded in between still wakes this wait.
            var signal = _forwarders.NextSignal(_id);
            var offset = await _recordedOffset(cancellationToken) ?? throw new UploadEndedException(_id);
            if (offset > _position)
            {
                _recorded = Math.Min(offset, _length);
                return;
            }

            if (_clock.GetElapsedTime(since) >= _idle)
            {
                throw new TimeoutException($"No chunk of upload {_id} arrived for {_idle.TotalSeconds:0} s (Uploads:ForwardIdleSeconds).");
            }

            await Task.WhenAny(signal, Task.Delay(PollInterval, _clock, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}

/// <summary>The upload a forwarder was reading ended (terminated, expired, failed): what it sent must not be kept.</summary>
internal sealed class UploadEndedException(Guid id) : Exception($"Upload {id} ended while its bytes were being forwarded.");
