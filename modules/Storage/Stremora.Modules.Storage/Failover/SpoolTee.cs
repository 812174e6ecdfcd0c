using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// The spool-tee: one writer pumps the incoming stream into a temp file, hashing and counting in the
/// same pass, while provider attempts read the file through <see cref="ISpooledSource"/>, waiting
/// (asynchronously, no polling) for bytes that have not arrived yet. Memory is one buffer whatever
/// the file size. Disposing deletes the temp file. A source that already keeps its bytes in a file
/// (<see cref="IFileBackedSource"/>) is not copied: the writer only hashes and counts, and attempts read that file.
/// </summary>
internal sealed partial class SpoolTee : ISpooledSource, IAsyncDisposable
{
    private const int BufferSize = 81_920;

    private readonly Lock _gate = new();

    // The temp file this spool writes and deletes; null for a file-backed source, whose bytes are already on disk.
    private readonly FileStream? _file;

    // One read handle for every range and the MD5 pass, opened with the spool: a file-backed source's file may be
    // unlinked while it is stored (its upload ended), and the store must then end on its source's error, not on a missing file.
    private readonly SafeFileHandle _read;
    private long _written;
    private bool _completed;
    private Exception? _failure;

    // Replaced on every change: waiters await the current one, the writer completes it and installs a fresh one.
    private TaskCompletionSource _changed = NewSignal();

    // Cancelled when the spool is disposed: stops the MD5 pass (SpoolTee.Md5.cs).
    private readonly CancellationTokenSource _closing = new();

    private SpoolTee(string path, FileStream? file)
    {
        Path = path;
        _file = file;
        _read = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    }

    public string Path { get; }

    public long? TotalLength
    {
        get
        {
            lock (_gate)
            {
                return _completed ? _written : null;
            }
        }
    }

    /// <summary>Bytes received so far.</summary>
    public long Written
    {
        get
        {
            lock (_gate)
            {
                return _written;
            }
        }
    }

    /// <summary>Lower-case hex SHA-256 of the whole file, once the writer has completed.</summary>
    public string? Sha256 { get; private set; }

    /// <summary>Raised (on the writer's thread) every time bytes arrive: a hook for observing the writer (tests use it).</summary>
    public event Action? Progressed;

    /// <exception cref="StorageSpoolException">The spool file cannot be created.</exception>
    public static SpoolTee Create(string directory)
    {
        var path = System.IO.Path.Combine(directory, $"{Guid.CreateVersion7():N}.spool");
        try
        {
            SpoolFolder.Create(directory);

            // Unbuffered: every write goes straight to the OS, so readers see it as soon as _written says so.
            // Synchronous handle: see PumpAsync. Readable by the service alone: it is someone's upload.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete, BufferSize = 0 };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = SpoolFolder.FilePermissions;
            }

            var file = new FileStream(path, options);
            try
            {
                return new SpoolTee(path, file);
            }
            catch
            {
                file.Dispose();
                File.Delete(path);
                throw;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageSpoolException(e);
        }
    }

    /// <summary>
    /// The spool of a <see cref="IFileBackedSource"/>: attempts read <paramref name="path"/>, which its source fills;
    /// <see cref="PumpAsync"/> reads the source to hash and count it (and to learn how far the file may be read), writing nothing.
    /// Disposing leaves the file to its owner.
    /// </summary>
    /// <exception cref="StorageSpoolException">The file cannot be opened.</exception>
    public static SpoolTee Over(string path)
    {
        try
        {
            return new SpoolTee(path, file: null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageSpoolException(e);
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> into the spool. Throws <see cref="FileTooLargeException"/> before
    /// writing the byte past <paramref name="maxBytes"/>. Any failure is also handed to readers.
    /// </summary>
    public async Task PumpAsync(Stream source, long maxBytes, StoredFileKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            while (true)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                if (total + read > maxBytes)
                {
                    throw new FileTooLargeException(kind, maxBytes);
                }

                // A synchronous write into the page cache: on Linux "async" file I/O is the same pwrite run on
                // another pool thread, and that hop per 64 KiB cost the API ~12 % more CPU per upload (perf stat).
                Spool(buffer, read);
                hash.AppendData(buffer, 0, read);
                total += read;
                Signal(() => _written = total);
                Progressed?.Invoke();
            }

            Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            Signal(() => _completed = true);
        }
        catch (Exception e)
        {
            Signal(() => _failure = e);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A write that fails is this server's failure (disk full), not the source's: told apart from the client's errors.</summary>
    private void Spool(byte[] buffer, int count)
    {
        try
        {
            _file?.Write(buffer, 0, count);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageSpoolException(e);
        }
    }

    public async ValueTask<long> WaitForAsync(long offset, long count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_failure is not null)
                {
                    throw new SpoolAbortedException(_failure);
                }

                var available = Math.Max(0, _written - offset);
                if (available >= count || _completed)
                {
                    return Math.Min(available, count);
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public Stream OpenRange(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        lock (_gate)
        {
            if (offset + length > _written)
            {
                throw new InvalidOperationException($"Bytes {offset}..{offset + length} have not arrived yet (have {_written}): call WaitForAsync first.");
            }
        }

        return new SpoolRangeStream(_read, offset, length);
    }

    public async ValueTask DisposeAsync()
    {
        Signal(() => _failure ??= _completed ? null : new ObjectDisposedException(nameof(SpoolTee)));
        await _closing.CancelAsync();
        if (Volatile.Read(ref _md5) is { } md5)
        {
            try
            {
                await md5;
            }
            catch (Exception e) when (e is OperationCanceledException or SpoolAbortedException or IOException)
            {
                // Nobody waits for it any more.
            }
        }

        _closing.Dispose();
        _read.Dispose();
        if (_file is null)
        {
            return;
        }

        await _file.DisposeAsync();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Unix lets readers keep an unlinked file open; a failure here would only be a racing delete.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Signal(Action change)
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            change();
            previous = _changed;
            _changed = NewSignal();
        }

        previous.TrySetResult();
    }
}

/// <summary>The writer of a spool failed (client aborted, file too large): readers get this, the chain rethrows the writer's own error.</summary>
internal sealed class SpoolAbortedException(Exception writerFailure)
    : Exception("The incoming file was not received completely.", writerFailure);
