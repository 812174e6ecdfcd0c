using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Mvc.Testing;
using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.Streams;
using Xunit.Abstractions;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

/// <summary>Memory is measured process-wide, so these run alone, after every parallel test class.</summary>
[CollectionDefinition(nameof(FailoverMemoryMeasuredTests), DisableParallelization = true)]
public sealed class FailoverMemoryMeasuredTests;

public sealed class LargeFileFixture : FailoverHostFixture;

/// <summary>
/// A 150 MB file goes to Cloudinary in chunks and to S3 in parts while this
/// process's memory stays bounded by buffers. The file is generated as it is read; if any layer held
/// it whole, the live heap (and the resident set) would grow by at least its 150 MB.
/// </summary>
[Collection(nameof(FailoverMemoryMeasuredTests))]
public sealed class LargeFileStreamingTests : IClassFixture<LargeFileFixture>
{
    private const long FileBytes = 150_000_000;
    private const long GrowthBound = 64L * 1024 * 1024;

    private readonly LargeFileFixture _fixture;
    private readonly ITestOutputHelper _output;

    public LargeFileStreamingTests(LargeFileFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        _fixture.Cloudinary.Faults.Clear();
    }

    [Fact]
    public async Task A_150_MB_video_goes_to_cloudinary_as_chunks_of_one_upload_and_memory_does_not_grow_with_it()
    {
        var before = _fixture.Cloudinary.RequestCount;
        var memory = MemoryGrowth.Start();
        await using var video = new GeneratedStream(FileBytes, seed: 7, header: Samples.Mp4Prefix(FileBytes)) { EveryEightMiB = memory.Sample };
        var result = Assert.IsType<StoreOutcome.Stored>(await _fixture.Storage.StoreAsync(Uploads.VideoRequest("large-cloudinary"), video, CancellationToken.None));
        memory.Sample();
        await memory.DisposeAsync();
        _output.WriteLine(memory.ToString());

        Assert.Equal("cloudinary", result.File.Provider);
        Assert.Equal((FileBytes, video.Sha256), (result.File.Bytes, result.File.Sha256));

        // 20 MB chunks (the default): seven full ones and a 10 MB last one, all under one X-Unique-Upload-Id.
        var chunks = _fixture.Cloudinary.Requests.Skip(before).ToList();
        Assert.Equal(8, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(("upload", 200), (c.Operation, c.Status)));
        var uploadId = Assert.Single(chunks.Select(c => c.UploadId).Distinct());
        Assert.False(string.IsNullOrEmpty(uploadId));
        Assert.Equal("bytes 0-19999999/-1", chunks[0].ContentRange);
        Assert.Equal("bytes 140000000-149999999/150000000", chunks[^1].ContentRange);
        Assert.Equal(0, _fixture.Cloudinary.PendingChunkedUploads);

        Assert.True(memory.Samples >= 17, $"only {memory.Samples} memory samples were taken");
        Assert.True(memory.ManagedGrowthBytes < GrowthBound, $"memory grew with the file: {memory}");
        Assert.True(memory.ResidentGrowthBytes < GrowthBound, $"memory grew with the file: {memory}");

        Assert.Equal((FileBytes, video.Sha256), await Uploads.FetchAsync(result.File.ProviderUrl!));
        Assert.Empty(Directory.GetFiles(_fixture.Host.SpoolDirectory));
    }

    [Fact]
    public async Task A_150_MB_video_goes_to_s3_in_parts_when_cloudinary_fails_and_memory_does_not_grow_with_it()
    {
        _fixture.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        var memory = MemoryGrowth.Start();
        await using var video = new GeneratedStream(FileBytes, seed: 8, header: Samples.Mp4Prefix(FileBytes)) { EveryEightMiB = memory.Sample };
        var result = Assert.IsType<StoreOutcome.Stored>(await _fixture.Storage.StoreAsync(Uploads.VideoRequest("large-s3"), video, CancellationToken.None));
        memory.Sample();
        await memory.DisposeAsync();
        _fixture.Cloudinary.Faults.Clear();
        _output.WriteLine(memory.ToString());

        Assert.Equal([("cloudinary", "failed"), ("s3", "stored")], result.Attempts.Select(a => (a.Provider, a.Outcome)));
        Assert.Equal((FileBytes, video.Sha256), (result.File.Bytes, result.File.Sha256));

        // A multipart object's ETag ends in "-{part count}": 16 MiB parts (the default) make nine.
        using (var s3 = _fixture.Bucket.Server.CreateClient())
        {
            var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _fixture.Bucket.Name, Key = result.File.Locator });
            Assert.EndsWith("-9\"", head.ETag, StringComparison.Ordinal);
        }

        Assert.Empty(await _fixture.Bucket.MultipartUploadsAsync());
        Assert.True(memory.Samples >= 17, $"only {memory.Samples} memory samples were taken");
        Assert.True(memory.ManagedGrowthBytes < GrowthBound, $"memory grew with the file: {memory}");
        Assert.True(memory.ResidentGrowthBytes < GrowthBound, $"memory grew with the file: {memory}");

        Assert.Equal((FileBytes, video.Sha256), await Uploads.FetchAsync(result.File.ProviderUrl!));
        Assert.Empty(Directory.GetFiles(_fixture.Host.SpoolDirectory));
    }

    [Fact]
    public async Task A_150_MB_upload_over_http_streams_through_the_api_to_cloudinary_and_memory_does_not_grow_with_it()
    {
        // Without auto-redirect: WebApplicationFactory's redirect handler copies every request body into memory to be able to resend it.
        using var client = _fixture.Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For("large-uploader", admin: false));
        var memory = MemoryGrowth.Start();
        await using var video = new GeneratedStream(FileBytes, seed: 9, header: Samples.Mp4Prefix(FileBytes)) { EveryEightMiB = memory.Sample };
        using var form = new UploadForm().Field("title", "A long film").Field("description", "150 MB, never held in memory.").File("video", video, "video/mp4", "film.mp4", bufferSize: 81920).Build();

        using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), form);
        var body = await response.Content.ReadAsStringAsync();
        memory.Sample();
        await memory.DisposeAsync();
        _output.WriteLine(memory.ToString());

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var stored = json.RootElement.GetProperty("video");
        Assert.Equal(("cloudinary", FileBytes, video.Sha256), (stored.GetProperty("provider").GetString(), stored.GetProperty("bytes").GetInt64(), stored.GetProperty("sha256").GetString()));
        Assert.True(memory.Samples >= 17, $"only {memory.Samples} memory samples were taken");
        Assert.True(memory.ManagedGrowthBytes < GrowthBound, $"memory grew with the file: {memory}");
        Assert.True(memory.ResidentGrowthBytes < GrowthBound, $"memory grew with the file: {memory}");
        Assert.Equal((FileBytes, video.Sha256), await Uploads.FetchAsync(stored.GetProperty("url").GetString()!));
        Assert.Empty(Directory.GetFiles(_fixture.Host.SpoolDirectory));
    }
}
