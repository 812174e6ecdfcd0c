using System.Buffers;
using System.Security.Cryptography;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// The spool-tee: one writer pumps the incoming stream into a temp file, hashing and counting in the
/// same pass, while provider attempts read the file through <see cref="ISpooledSource"/>, waiting
/// (asynchronously, no polling) for bytes that have not arrived yet. Memory is one buffer whatever
/// the file size. Disposing deletes the temp file.
/// </summary>
internal sealed class SpoolTee : ISpooledSource, IAsyncDisposable
{
    private const int BufferSize = 81_920;

    private readonly Lock _gate = new();
    private readonly FileStream _file;
    private long _written;
    private bool _completed;
    private Exception? _failure;

    // Replaced on every change: waiters await the current one, the writer completes it and installs a fresh one.
    private TaskCompletionSource _changed = NewSignal();

    private volatile bool _md5Wanted;

    private SpoolTee(string path, FileStream file, bool computeMd5)
    {
        Path = path;
        _file = file;
        _md5Wanted = computeMd5;
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

    /// <summary>Lower-case hex MD5 of the whole file once the writer has completed, when asked for at creation (and not dropped).</summary>
    public string? Md5 { get; private set; }

    /// <summary>No attempt left will compare an MD5 (the provider that reports one failed or was skipped): stop hashing it.</summary>
    public void DropMd5() => _md5Wanted = false;

    /// <summary>Raised (on the writer's thread) every time bytes arrive: a hook for observing the writer (tests use it).</summary>
    public event Action? Progressed;

    /// <param name="computeMd5">Also hash MD5 in the same pass: a provider in the chain reports one to compare (Cloudinary's etag).</param>
    /// <exception cref="StorageSpoolException">The spool file cannot be created.</exception>
    public static SpoolTee Create(string directory, bool computeMd5 = false)
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
            return new SpoolTee(path, file, computeMd5);
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
#pragma warning disable CA5351 // Cloudinary's etag is an MD5: a checksum to compare, not a security boundary.
            using var md5 = _md5Wanted ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
#pragma warning restore CA5351
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
                if (_md5Wanted)
                {
                    md5?.AppendData(buffer, 0, read);
                }
                total += read;
                Signal(() => _written = total);
                Progressed?.Invoke();
            }

            Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            Md5 = md5 is null || !_md5Wanted ? null : Convert.ToHexStringLower(md5.GetHashAndReset());
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
            _file.Write(buffer, 0, count);
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

        return new SpoolRangeStream(Path, offset, length);
    }

    public async ValueTask DisposeAsync()
    {
        Signal(() => _failure ??= _completed ? null : new ObjectDisposedException(nameof(SpoolTee)));
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

    /// <summary>
    /// Removes spool files a crashed process left behind. Every live spool is held open (writer and readers
    /// take a shared lock with the handle), so a file that can be opened exclusively belongs to a dead process
    /// and goes at once; without OS file locking only the age rule applies: a live spool is written
    /// continuously, so anything untouched for <paramref name="olderThan"/> is dead.
    /// </summary>
    public static int DeleteStale(string directory, TimeSpan olderThan, DateTimeOffset now)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var deleted = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*.spool"))
        {
            try
            {
                if (now - file.LastWriteTimeUtc > olderThan)
                {
                    file.Delete();
                    deleted++;
                }
                else if (FileLockingEnabled && TryDeleteUnheld(file.FullName))
                {
                    deleted++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Someone else's, or already gone.
            }
        }

        return deleted;
    }

    // .NET takes flock() locks on Unix unless told not to; without them an exclusive open proves nothing.
    private static bool FileLockingEnabled =>
        !(AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        && Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is not ("1" or "true");

    /// <returns>True when no process holds the file: it was opened exclusively and deleted on close.</returns>
    private static bool TryDeleteUnheld(string path)
    {
        try
        {
            // Deleted when this handle closes, so no live process can open it between the check and the delete.
            using var exclusive = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            return true;
        }
        catch (IOException)
        {
            // Held by a live upload (this process's or another instance's on this host).
            return false;
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
