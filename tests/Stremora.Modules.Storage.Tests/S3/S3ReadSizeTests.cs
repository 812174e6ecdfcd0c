using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.S3;
using Stremora.Modules.Storage.Tests.Support;
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
        using var source = new ReadCountingSource(_path);

        var stored = await provider.UploadAsync(new ProviderUpload(StoredFileKind.Video, $"videos/{Guid.CreateVersion7()}/video", "video/mp4"), source, CancellationToken.None);

        Assert.Equal(12 * 1024 * 1024, stored.Bytes);
        Assert.True(source.Reads > 0);
        var averageRead = source.BytesRead / source.Reads;
        Assert.True(averageRead >= 64 * 1024, $"{source.Reads} reads of {source.BytesRead} bytes: {averageRead} bytes each");
    }

    /// <summary>The completed-file source, counting the reads of its range streams that returned bytes.</summary>
    private sealed class ReadCountingSource(string path) : ISpooledSource, IDisposable
    {
        private readonly CompletedFileSource _file = new(path);
        private long _reads;
        private long _bytes;

        public long Reads => Interlocked.Read(ref _reads);

        public long BytesRead => Interlocked.Read(ref _bytes);

        public long? TotalLength => _file.TotalLength;

        public ValueTask<long> WaitForAsync(long offset, long count, CancellationToken cancellationToken) => _file.WaitForAsync(offset, count, cancellationToken);

        public Stream OpenRange(long offset, long length)
        {
            var range = (SpoolRangeStream)_file.OpenRange(offset, length);
            range.OnRead = n =>
            {
                Interlocked.Increment(ref _reads);
                Interlocked.Add(ref _bytes, n);
            };
            return range;
        }

        public void Dispose() => _file.Dispose();
    }
}
