using System.IO.Pipelines;
using System.Security.Cryptography;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Tests.Failover;

public sealed class SpoolTeeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"stremora-spool-test-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Reader_ahead_of_the_writer_waits_until_the_bytes_arrive()
    {
        var pipe = new Pipe();
        await using var spool = SpoolTee.Create(_directory);
        var progressed = new SemaphoreSlim(0);
        spool.Progressed += () => progressed.Release();
        var pump = spool.PumpAsync(pipe.Reader.AsStream(), 1000, StoredFileKind.Video, CancellationToken.None);

        var wait = spool.WaitForAsync(0, 100, CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);

        await pipe.Writer.WriteAsync(new byte[60]);
        while (spool.Written < 60)
        {
            Assert.True(await progressed.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(60, spool.Written);
        Assert.False(wait.IsCompleted);

        await pipe.Writer.WriteAsync(Enumerable.Range(0, 60).Select(i => (byte)i).ToArray());
        Assert.Equal(100, await wait.WaitAsync(TimeSpan.FromSeconds(30)));

        await using (var range = spool.OpenRange(60, 40))
        {
            var read = new byte[50];
            Assert.Equal(40, range.Length);
            Assert.Equal(40, await range.ReadAtLeastAsync(read, 40, throwOnEndOfStream: false));
            Assert.Equal(Enumerable.Range(0, 40).Select(i => (byte)i), read.Take(40));
        }

        await pipe.Writer.CompleteAsync();
        await pump;
        Assert.Equal(120, spool.TotalLength);
        Assert.Equal(20, await spool.WaitForAsync(100, 50, CancellationToken.None));
    }

    [Fact]
    public async Task Size_and_sha256_are_those_of_the_whole_stream()
    {
        var data = RandomNumberGenerator.GetBytes(1_000_003);
        await using var spool = SpoolTee.Create(_directory);
        Assert.Null(spool.TotalLength);

        await spool.PumpAsync(new MemoryStream(data), data.Length, StoredFileKind.Video, CancellationToken.None);

        Assert.Equal(data.Length, spool.TotalLength);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), spool.Sha256);
        Assert.False(spool.Md5Started);
        await using var all = spool.OpenRange(0, data.Length);
        var copy = new MemoryStream();
        await all.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task Md5_asked_for_while_bytes_arrive_is_that_of_the_whole_stream()
    {
        var data = RandomNumberGenerator.GetBytes(3_000_003);
        await using var spool = SpoolTee.Create(_directory);
        var pipe = new Pipe();
        var pump = spool.PumpAsync(pipe.Reader.AsStream(), data.Length, StoredFileKind.Video, CancellationToken.None);
        await pipe.Writer.WriteAsync(data.AsMemory(0, 1_000_000));
        await spool.WaitForAsync(0, 1_000_000, CancellationToken.None);

        var md5 = spool.Md5Async();
        await pipe.Writer.WriteAsync(data.AsMemory(1_000_000));
        await pipe.Writer.CompleteAsync();
        await pump;

#pragma warning disable CA5351 // the value under test is Cloudinary's MD5 etag
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(data)), await md5);
#pragma warning restore CA5351
        Assert.Same(md5, spool.Md5Async());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), spool.Sha256);
    }

    [Fact]
    public async Task An_attempt_starts_the_md5_pass_with_its_first_read_and_not_before()
    {
        var data = RandomNumberGenerator.GetBytes(100_000);
        await using var spool = SpoolTee.Create(_directory);
        await spool.PumpAsync(new MemoryStream(data), data.Length, StoredFileKind.Video, CancellationToken.None);
        var attempt = new AttemptSource(spool, TimeProvider.System, hashesMd5: true);

        await using var range = attempt.OpenRange(0, data.Length);
        var startedBeforeRead = spool.Md5Started;
        await range.ReadExactlyAsync(new byte[10]);

        Assert.False(startedBeforeRead);
        Assert.True(spool.Md5Started);
    }

    [Fact]
    public async Task The_limit_is_enforced_as_bytes_arrive_and_waiting_readers_are_told()
    {
        var pipe = new Pipe();
        await using var spool = SpoolTee.Create(_directory);
        var pump = spool.PumpAsync(pipe.Reader.AsStream(), 100, StoredFileKind.Thumbnail, CancellationToken.None);
        var reader = spool.WaitForAsync(0, 1000, CancellationToken.None).AsTask();

        // The client never finishes: the writer must stop at the limit, not at the end of the stream.
        await pipe.Writer.WriteAsync(new byte[101]);

        var tooLarge = await Assert.ThrowsAsync<FileTooLargeException>(() => pump);
        Assert.Equal(100, tooLarge.MaxBytes);
        Assert.Equal(StoredFileKind.Thumbnail, tooLarge.Kind);
        var aborted = await Assert.ThrowsAsync<SpoolAbortedException>(() => reader);
        Assert.IsType<FileTooLargeException>(aborted.InnerException);
        Assert.True(spool.Written <= 100);
    }

    [Fact]
    public async Task A_file_of_exactly_the_limit_is_accepted()
    {
        await using var spool = SpoolTee.Create(_directory);
        await spool.PumpAsync(new MemoryStream(new byte[100]), 100, StoredFileKind.Video, CancellationToken.None);
        Assert.Equal(100, spool.TotalLength);
    }

    [Fact]
    public async Task An_empty_file_is_one_empty_last_chunk()
    {
        await using var spool = SpoolTee.Create(_directory);
        await spool.PumpAsync(new MemoryStream(), 100, StoredFileKind.Video, CancellationToken.None);

        var chunks = new List<SpoolChunk>();
        await foreach (var chunk in spool.ChunksAsync(10, CancellationToken.None))
        {
            chunks.Add(chunk);
        }

        Assert.Equal([new SpoolChunk(0, 0, IsLast: true, Total: 0)], chunks);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", spool.Sha256);
    }

    [Fact]
    public async Task Cancelling_the_writer_fails_waiting_readers()
    {
        var pipe = new Pipe();
        using var cts = new CancellationTokenSource();
        await using var spool = SpoolTee.Create(_directory);
        var pump = spool.PumpAsync(pipe.Reader.AsStream(), 1000, StoredFileKind.Video, cts.Token);
        var reader = spool.WaitForAsync(0, 10, CancellationToken.None).AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pump);
        await Assert.ThrowsAsync<SpoolAbortedException>(() => reader);
    }

    [Fact]
    public async Task The_temp_file_is_deleted_on_dispose_even_while_a_range_is_open()
    {
        var spool = SpoolTee.Create(_directory);
        await spool.PumpAsync(new MemoryStream(new byte[10]), 100, StoredFileKind.Video, CancellationToken.None);
        Assert.True(File.Exists(spool.Path));
        await using var range = spool.OpenRange(0, 10);

        await spool.DisposeAsync();

        Assert.False(File.Exists(spool.Path));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_file_backed_spool_reads_its_sources_file_writes_no_copy_and_leaves_the_file_to_its_owner()
    {
        Directory.CreateDirectory(_directory);
        var staged = Path.Combine(_directory, "staged");
        var data = RandomNumberGenerator.GetBytes(200_003);
        await File.WriteAllBytesAsync(staged, data);
        var spool = SpoolTee.Over(staged);
        var pipe = new Pipe();
        var pump = spool.PumpAsync(pipe.Reader.AsStream(), data.Length, StoredFileKind.Video, CancellationToken.None);

        // Only what the source has handed out may be read, as with a spool it writes.
        await pipe.Writer.WriteAsync(data.AsMemory(0, 100_000));
        Assert.Equal(100_000, await spool.WaitForAsync(0, 100_000, CancellationToken.None));
        Assert.Throws<InvalidOperationException>(() => spool.OpenRange(0, 100_001));
        await pipe.Writer.WriteAsync(data.AsMemory(100_000));
        await pipe.Writer.CompleteAsync();
        await pump;

        // Its owner may remove the file while it is stored (the upload ended): the spool still reads it to the end.
        File.Delete(staged);
        await using (var all = spool.OpenRange(0, data.Length))
        {
            var copy = new MemoryStream();
            await all.CopyToAsync(copy);
            Assert.Equal(data, copy.ToArray());
        }

#pragma warning disable CA5351 // the value under test is Cloudinary's MD5 etag
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(data)), await spool.Md5Async());
#pragma warning restore CA5351
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), spool.Sha256);
        Assert.Equal([], Directory.GetFiles(_directory));
        await spool.DisposeAsync();

        await File.WriteAllBytesAsync(staged, data);
        await using (var again = SpoolTee.Over(staged))
        {
            await again.PumpAsync(new MemoryStream(data), data.Length, StoredFileKind.Video, CancellationToken.None);
        }

        Assert.Equal(data, await File.ReadAllBytesAsync(staged));
        Assert.Equal([staged], Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_range_of_bytes_not_yet_arrived_cannot_be_opened()
    {
        await using var spool = SpoolTee.Create(_directory);
        await spool.PumpAsync(new MemoryStream(new byte[10]), 100, StoredFileKind.Video, CancellationToken.None);
        Assert.Throws<InvalidOperationException>(() => spool.OpenRange(5, 6));
    }

    [Fact]
    public async Task Spool_files_left_by_a_crash_are_removed_but_live_ones_are_not()
    {
        Directory.CreateDirectory(_directory);
        var dead = Path.Combine(_directory, "dead.spool");
        await File.WriteAllTextAsync(dead, "x");
        File.SetLastWriteTimeUtc(dead, DateTime.UtcNow.AddDays(-2));
        await using var live = SpoolTee.Create(_directory);

        Assert.Equal(1, SpoolFolder.DeleteStale(_directory, TimeSpan.FromDays(1), DateTimeOffset.UtcNow));

        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live.Path));
    }

    [Fact]
    public async Task A_fresh_spool_file_no_process_holds_is_removed_at_once()
    {
        Directory.CreateDirectory(_directory);
        // What kill -9 leaves: a recent spool file whose writer is gone.
        var orphan = Path.Combine(_directory, "orphan.spool");
        await File.WriteAllTextAsync(orphan, "x");
        await using var live = SpoolTee.Create(_directory);
        await using var liveReader = SpoolTee.Create(_directory);
        await liveReader.PumpAsync(new MemoryStream(new byte[10]), 100, StoredFileKind.Video, CancellationToken.None);
        await using var reading = liveReader.OpenRange(0, 10);

        Assert.Equal(1, SpoolFolder.DeleteStale(_directory, TimeSpan.FromDays(1), DateTimeOffset.UtcNow));

        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(live.Path));
        Assert.True(File.Exists(liveReader.Path));
    }
}
