using System.Buffers;
using System.Security.Cryptography;

namespace Stremora.Modules.Storage.Failover;

/// <summary>The spool's MD5, for a provider that reports one: a second pass over the spool, started only when asked for.</summary>
internal sealed partial class SpoolTee
{
    private const int Md5ReadBytes = 1024 * 1024;

    private Task<string>? _md5;

    /// <summary>True once someone asked for the MD5: only then does the spool read itself a second time.</summary>
    public bool Md5Started => Volatile.Read(ref _md5) is not null;

    /// <summary>
    /// Lower-case hex MD5 of the whole file, for a provider that reports one (Cloudinary's etag). The first call starts
    /// hashing it behind the writer, on its own pass over the spool, so an upload no such provider takes bytes from
    /// (Cloudinary refusing connections, its circuit open) never pays for it.
    /// </summary>
    public Task<string> Md5Async()
    {
        if (Volatile.Read(ref _md5) is { } started)
        {
            return started;
        }

        lock (_gate)
        {
            return _md5 ??= Task.Run(() => HashMd5Async(_closing.Token));
        }
    }

    /// <summary>Reads the spool from the start as its bytes arrive, hashing MD5; a second pass, on another thread than the writer's.</summary>
    private async Task<string> HashMd5Async(CancellationToken cancellationToken)
    {
#pragma warning disable CA5351 // Cloudinary's etag is an MD5: a checksum to compare, not a security boundary.
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        var buffer = ArrayPool<byte>.Shared.Rent(Md5ReadBytes);
        try
        {
            long offset = 0;
            while (await WaitForAsync(offset, Md5ReadBytes, cancellationToken) is var available and > 0)
            {
                // Synchronous, as the range streams read: the bytes were just written and come from the page cache.
                var read = RandomAccess.Read(_read, buffer.AsSpan(0, (int)available), offset);
                if (read == 0)
                {
                    throw new IOException($"The spool ended at {offset} bytes, before the {offset + available} it had received.");
                }

                md5.AppendData(buffer, 0, read);
                offset += read;
            }

            return Convert.ToHexStringLower(md5.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
