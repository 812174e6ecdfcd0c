using System.Security.Cryptography;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.TestKit.Diagnostics;
using Stremora.TestKit.Host;
using Stremora.TestKit.S3;
using Stremora.TestKit.Streams;
using Xunit.Abstractions;

namespace Stremora.Modules.Storage.Tests.S3;

/// <summary>Tests that measure this process's memory run alone: other tests' allocations would count.</summary>
[CollectionDefinition(nameof(MemoryMeasuredTests), DisableParallelization = true)]
public sealed class MemoryMeasuredTests;

/// <summary>The real host with S3 (moto) alone in the chain.</summary>
[Collection(nameof(MemoryMeasuredTests))]
public sealed class S3LargeUploadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long MiB = 1024 * 1024;

    private StremoraApiFactory _api = null!;
    private TestBucket _bucket = null!;

    public async Task InitializeAsync()
    {
        _bucket = await MotoServer.Instance.CreateBucketAsync();
        _api = new StremoraApiFactory().WithS3(_bucket).With("Storage:Order", "s3");
        await _api.InitializeAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_150_MB_video_goes_to_s3_in_parts_with_identical_bytes_and_memory_that_does_not_grow_with_it()
    {
        var storage = _api.Services.GetRequiredService<IVideoStorage>();

        // Warm up (JIT, SDK clients, connection pool) so the measurement sees only the upload itself.
        await storage.StoreAsync(Request(), new GeneratedStream(20 * MiB, seed: 7), CancellationToken.None);

        var source = new GeneratedStream(150 * MiB);
        StoreOutcome.Stored result;
        await using (var memory = MemorySampler.Start())
        {
            result = Assert.IsType<StoreOutcome.Stored>(await storage.StoreAsync(Request(), source, CancellationToken.None));
            await memory.DisposeAsync();
            output.WriteLine($"150 MiB upload: {memory}");

            // Well under one part (16 MiB) per concurrent part and nowhere near the file's size.
            Assert.True(memory.ManagedGrowth < 48 * MiB, memory.ToString());
        }

        Assert.Equal(("s3", 150 * MiB, source.Sha256), (result.File.Provider, result.File.Bytes, result.File.Sha256));
        Assert.Equal(("s3", "stored"), (Assert.Single(result.Attempts).Provider, result.Attempts[0].Outcome));
        using (var client = MotoServer.Instance.CreateClient())
        {
            var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket.Name, Key = result.File.Locator, PartNumber = 1 });
            Assert.Equal(10, head.PartsCount);
        }

        Assert.Equal(source.Sha256, await Sha256OfUrlAsync(result.File.ProviderUrl!));
        Assert.Empty(await _bucket.MultipartUploadsAsync());
        Assert.Empty(Directory.GetFiles(_api.SpoolDirectory));
    }

    private static StoreFileRequest Request() => new(StoredFileKind.Video, $"videos/{Guid.CreateVersion7()}/video", "video/mp4", 2L << 30);

    private static async Task<string> Sha256OfUrlAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        using var response = await http.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(body));
    }
}
