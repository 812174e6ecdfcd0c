using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.S3;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Storage.Tests.S3;

/// <summary>
/// How the S3 provider reads the spool while it sends a part: every read is a system call (a pread) followed by a send,
/// so the size of a read is what a GiB costs in calls.
/// </summary>
public sealed class S3ReadSizeTests : IAsyncLifetime
{
    private TestBucket _bucket = null!;
    private string _path = null!;

    public async Task InitializeAsync()
    {
        _bucket = await MotoServer.Instance.CreateBucketAsync();
        _path = Path.Combine(Path.GetTempPath(), $"stremora-read-size-{Guid.CreateVersion7():N}");
        await File.WriteAllBytesAsync(_path, RandomNumberGenerator.GetBytes(12 * 1024 * 1024));
    }

    public Task DisposeAsync()
    {
        File.Delete(_path);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Parts_are_read_from_the_spool_in_pieces_of_at_least_64_KiB()
    {
        var options = S3TestOptions.For(_bucket.Settings);
        options.PartSizeBytes = S3Options.MinPartSizeBytes;
        using var provider = new S3StorageProvider(Options.Create(options), TimeProvider.System, NullLogger<S3StorageProvider>.Instance);
        var source = new ReadCountingSource(_path);

        var stored = await provider.UploadAsync(new ProviderUpload(StoredFileKind.Video, $"videos/{Guid.CreateVersion7()}/video", "video/mp4"), source, CancellationToken.None);

        Assert.Equal(12 * 1024 * 1024, stored.Bytes);
        Assert.True(source.Reads > 0);
        var averageRead = source.BytesRead / source.Reads;
        Assert.True(averageRead >= 64 * 1024, $"{source.Reads} reads of {source.BytesRead} bytes: {averageRead} bytes each");
    }

    /// <summary>The spool's own range streams over a completed file, counting the reads that returned bytes.</summary>
    private sealed class ReadCountingSource(string path) : ISpooledSource
    {
        private readonly long _length = new FileInfo(path).Length;
        private long _reads;
        private long _bytes;

        public long Reads => Interlocked.Read(ref _reads);

        public long BytesRead => Interlocked.Read(ref _bytes);

        public long? TotalLength => _length;

        public ValueTask<long> WaitForAsync(long offset, long count, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Math.Clamp(_length - offset, 0, count));

        public Stream OpenRange(long offset, long length) => new SpoolRangeStream(path, offset, length)
        {
            OnRead = n =>
            {
                Interlocked.Increment(ref _reads);
                Interlocked.Add(ref _bytes, n);
            },
        };
    }
}
