using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Stremora.Api.Platform;

/// <summary>
/// Kestrel's connections read and write through blocks of this pool. Kestrel's own pool hands out 4 KiB blocks, so
/// a request body arrives 4 KiB (often less) per <c>recv</c>: about 400 000 system calls per GiB uploaded, which was
/// most of the API's kernel time per upload (<c>perf stat</c> in bench/README.md). With 64 KiB blocks one call takes
/// what the socket holds, up to 64 KiB. Idle connections hold no block (Kestrel waits for data before renting one).
/// </summary>
public static class ReceiveBuffers
{
    public const int BlockSize = 64 * 1024;

    public static IServiceCollection AddLargeReceiveBuffers(this IServiceCollection services)
    {
        // Registered after Kestrel's own factory, so this is the one its transport resolves.
        services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockPoolFactory>();
        return services;
    }

    private sealed class LargeBlockPoolFactory : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockPool();
    }

    /// <summary>Blocks come from the shared array pool, which keeps returned arrays for the next rent.</summary>
    private sealed class LargeBlockPool : MemoryPool<byte>
    {
        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
            return new Block(ArrayPool<byte>.Shared.Rent(BlockSize));
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class Block(byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned)
            {
                ArrayPool<byte>.Shared.Return(returned);
            }
        }
    }
}
