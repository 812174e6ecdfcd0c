using System.Globalization;
using System.Net;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;

namespace Stremora.ReliabilityTests.Resumable;

/// <summary>
/// Storage keeps pace with a resumable upload: its bytes go to the first provider while chunks still arrive, so the
/// answer to the last chunk finds the video ready. A provider failing midway hands over to the next from the staged file;
/// a termination midway leaves nothing on any provider. Chunks are sent by hand, so a test knows what is still unsent.
/// </summary>
public sealed class ForwardingTests : ResumableUploadRig
{
    private const int ChunkBytes = 1024 * 1024;

    /// <summary>Provider parts of 5 MiB (the least both take), so a 16 MiB upload reaches a provider long before its end.</summary>
    private static readonly Dictionary<string, string> SmallParts = new(StringComparer.Ordinal)
    {
        ["Storage:Cloudinary:ChunkSizeBytes"] = (5 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
        ["Storage:S3:PartSizeBytes"] = (5 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Cloudinary_holds_bytes_of_the_upload_before_its_last_chunk_is_sent_read_from_the_staged_file_and_the_answer_to_that_chunk_finds_it_ready()
    {
        await using var api = await ApiProcess.StartAsync(Settings("forward", extra: SmallParts));
        using var client = TusClient(api);
        var video = Samples.Mp4(16 * 1024 * 1024, seed: 13);
        var location = await CreateAsync(client, video.Length, "Forwarded while it arrives");

        var offset = await SendUntilAsync(client, location, video, video.Length - ChunkBytes);
        await Eventually.UntilAsync(() => Cloudinary.PendingChunkedUploads == 1, "Cloudinary took chunks of the upload before its last one was sent", TimeSpan.FromSeconds(60));
        // The chain replays the staged file itself: the store in progress keeps no second copy in the spool.
        Assert.Empty(SpoolFiles("forward"));
        await PatchAcceptedAsync(client, location, video, offset, (int)(video.Length - offset));

        AssertReady(await VideoAsync(api, location), video, "cloudinary", "cloudinary:stored");
        Assert.Single(Cloudinary.Assets);
        Assert.Equal(0, Cloudinary.PendingChunkedUploads);
        Assert.Empty(Directory.EnumerateFiles(Staging));
        Assert.Empty(SpoolFiles("forward"));
    }

    [Fact]
    public async Task Cloudinary_failing_while_the_upload_is_forwarded_hands_it_to_s3_with_the_same_sha256_and_both_attempts_recorded()
    {
        await using var api = await ApiProcess.StartAsync(Settings("fails-midway", extra: SmallParts));
        using var client = TusClient(api);
        var video = Samples.Mp4(16 * 1024 * 1024, seed: 17);
        var location = await CreateAsync(client, video.Length, "Cloudinary fails midway");

        var offset = await SendUntilAsync(client, location, video, 8 * ChunkBytes);
        await Eventually.UntilAsync(() => Cloudinary.PendingChunkedUploads == 1, "Cloudinary took a chunk of the upload", TimeSpan.FromSeconds(60));
        Cloudinary.Faults.FailAll(FakeCloudinaryFault.ServiceUnavailable);
        await SendUntilAsync(client, location, video, video.Length, from: offset);

        AssertReady(await VideoAsync(api, location), video, "s3", "cloudinary:failed", "s3:stored");
        Assert.Single(await Bucket.KeysAsync());
        Assert.Empty(Cloudinary.Assets);
        Assert.Empty(Directory.EnumerateFiles(Staging));
    }

    [Fact]
    public async Task Chunks_alternating_between_two_instances_are_forwarded_by_one_of_them_and_stored_once()
    {
        await using var a = await ApiProcess.StartAsync(Settings("a", extra: SmallParts));
        await using var b = await ApiProcess.StartAsync(Settings("b", extra: SmallParts));
        using var onA = TusClient(a);
        using var onB = TusClient(b);
        var video = Samples.Mp4(12 * 1024 * 1024, seed: 19);
        var location = await CreateAsync(onA, video.Length, "Forwarded across instances");

        long offset = 0;
        var clients = new[] { onB, onA };
        for (var turn = 0; offset < video.Length; turn++)
        {
            if (video.Length - offset <= ChunkBytes)
            {
                await Eventually.UntilAsync(() => Cloudinary.PendingChunkedUploads == 1, "Cloudinary took chunks of the upload before its last one was sent", TimeSpan.FromSeconds(60));
            }

            offset = await PatchAcceptedAsync(clients[turn % 2], location, video, offset, (int)Math.Min(ChunkBytes, video.Length - offset));
        }

        AssertReady(await VideoAsync(b, location), video, "cloudinary", "cloudinary:stored");
        Assert.Single(Cloudinary.Assets);
        Assert.Empty(Directory.EnumerateFiles(Staging));
    }

    [Fact]
    public async Task Terminating_an_upload_while_it_is_forwarded_leaves_nothing_on_any_provider()
    {
        await using var api = await ApiProcess.StartAsync(Settings("terminated", order: "s3,cloudinary", extra: SmallParts));
        using var client = TusClient(api);
        var video = Samples.Mp4(16 * 1024 * 1024, seed: 23);
        var location = await CreateAsync(client, video.Length, "Terminated midway");

        await SendUntilAsync(client, location, video, 12 * ChunkBytes);
        await Eventually.UntilAsync(async () => (await Bucket.MultipartUploadsAsync()).Count == 1, "S3 holds a multipart upload of the upload", TimeSpan.FromSeconds(60));
        using (var terminated = await client.DeleteAsync(new Uri(location, UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, terminated.StatusCode);
        }

        Assert.Empty(await Bucket.MultipartUploadsAsync());
        Assert.Empty(await Bucket.KeysAsync());
        Assert.Empty(Cloudinary.Assets);
        Assert.Equal(0, Cloudinary.PendingChunkedUploads);
        Assert.Empty(Directory.EnumerateFiles(Staging));
        Assert.Empty(SpoolFiles("terminated"));
        Assert.Equal("failed", (await VideoAsync(api, location)).GetProperty("status").GetString());
    }

    /// <summary>Chunks of 1 MiB from <paramref name="from"/> until <paramref name="until"/> bytes are in; returns the offset.</summary>
    private static async Task<long> SendUntilAsync(HttpClient client, string location, byte[] video, long until, long from = 0)
    {
        var offset = from;
        while (offset < until)
        {
            offset = await PatchAcceptedAsync(client, location, video, offset, (int)Math.Min(ChunkBytes, until - offset));
        }

        return offset;
    }

    private IEnumerable<string> SpoolFiles(string instance) =>
        Directory.Exists(SpoolOf(instance)) ? Directory.EnumerateFiles(SpoolOf(instance), "*", SearchOption.AllDirectories) : [];
}
