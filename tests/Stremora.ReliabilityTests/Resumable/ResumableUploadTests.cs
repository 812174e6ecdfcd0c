using System.Globalization;
using System.Net;
using System.Text.Json;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.Tus;

namespace Stremora.ReliabilityTests.Resumable;

/// <summary>
/// Resumable uploads across process deaths and instances: the API killed (-9) mid-upload and restarted, and two
/// instances over one database and one staging folder taking turns. Nothing a client was told is lost.
/// </summary>
public sealed class ResumableUploadTests : ResumableUploadRig
{
    [Fact]
    public async Task Killed_mid_upload_the_restarted_service_resumes_from_at_least_every_acknowledged_offset_to_an_identical_sha256()
    {
        var video = Samples.Mp4(96 * 1024 * 1024, seed: 3);
        var file = Path.Combine(Work, "clip.mp4");
        await File.WriteAllBytesAsync(file, video);
        long acknowledged = 0;
        var quarterAcknowledged = new TaskCompletionSource();

        TusRun interrupted;
        await using (var first = await ApiProcess.StartAsync(Settings("first")))
        {
            var upload = TusJsClient.UploadAsync(new Uri(first.BaseAddress, "api/uploads"), TestTokens.For(Owner), file, Metadata(), chunkSize: 4 * 1024 * 1024, onEvent: e =>
            {
                if (e.GetProperty("event").GetString() == "acknowledged")
                {
                    acknowledged = Math.Max(acknowledged, e.GetProperty("offset").GetInt64());
                    if (acknowledged >= video.Length / 4)
                    {
                        quarterAcknowledged.TrySetResult();
                    }
                }
            });
            await Task.WhenAny(quarterAcknowledged.Task, upload);
            await first.KillAsync();
            interrupted = await upload;
        }

        Assert.False(interrupted.Succeeded, $"The upload ended before the kill: {interrupted}");
        Assert.NotNull(interrupted.Url);
        var path = new Uri(interrupted.Url!).AbsolutePath;

        await using var second = await ApiProcess.StartAsync(Settings("second"));
        using (var client = TusClient(second))
        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            var offset = long.Parse(head.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
            Assert.True(offset >= acknowledged, $"HEAD after the restart says {offset}; {acknowledged} had been acknowledged before the kill");
        }

        var resumed = await TusJsClient.UploadAsync(new Uri(second.BaseAddress, "api/uploads"), TestTokens.For(Owner), file, Metadata(), chunkSize: 4 * 1024 * 1024, uploadUrl: new Uri(second.BaseAddress, path).ToString());

        Assert.True(resumed.Succeeded, resumed.ToString() + second.Output);
        Assert.True(resumed.PatchOffsets[0] >= acknowledged, $"resumed at {resumed.PatchOffsets[0]}, {acknowledged} had been acknowledged");
        var ready = await VideoAsync(second, path);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("cloudinary", ready.GetProperty("video").GetProperty("provider").GetString());
        Assert.Equal(video.Length, ready.GetProperty("video").GetProperty("bytes").GetInt64());
        Assert.Equal(Samples.Sha256(video), ready.GetProperty("video").GetProperty("sha256").GetString());
        Assert.Empty(Directory.EnumerateFiles(Staging));
    }

    [Fact]
    public async Task Chunks_alternating_between_two_instances_make_one_upload_that_is_stored_once()
    {
        var video = Samples.Mp4(3 * 1024 * 1024, seed: 5);
        await using var a = await ApiProcess.StartAsync(Settings("a"));
        await using var b = await ApiProcess.StartAsync(Settings("b"));
        using var onA = TusClient(a);
        using var onB = TusClient(b);

        var location = await CreateAsync(onA, video.Length, "Two instances");

        long offset = 0;
        var clients = new[] { onB, onA };
        for (var turn = 0; offset < video.Length; turn++)
        {
            var client = clients[turn % 2];
            using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
            Assert.Equal(offset, long.Parse(head.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture));
            var length = (int)Math.Min(512 * 1024, video.Length - offset);
            offset = await PatchAcceptedAsync(client, location, video, offset, length);
        }

        var ready = await VideoAsync(a, location);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(Samples.Sha256(video), ready.GetProperty("video").GetProperty("sha256").GetString());
        Assert.Single(Cloudinary.Assets);
        Assert.Empty(Directory.EnumerateFiles(Staging));
    }

    [Fact]
    public async Task Cloudinary_failing_a_completed_upload_fails_over_to_s3_and_both_attempts_are_recorded()
    {
        Cloudinary.Faults.FailAll(FakeCloudinaryFault.ServiceUnavailable);
        await using var api = await ApiProcess.StartAsync(Settings("failover"));
        using var client = TusClient(api);
        var video = Samples.Mp4(1024 * 1024, seed: 7);

        var location = await UploadWholeAsync(client, video, "Cloudinary is down");

        AssertReady(await VideoAsync(api, location), video, "s3", "cloudinary:failed", "s3:stored");
        Assert.Single(await Bucket.KeysAsync());
        Assert.Empty(Directory.EnumerateFiles(Staging));
    }

    [Fact]
    public async Task A_completed_upload_no_provider_takes_stays_storing_until_the_durable_retry_stores_it()
    {
        Cloudinary.Faults.FailAll(FakeCloudinaryFault.ServiceUnavailable);
        await using var api = await ApiProcess.StartAsync(Settings("retry", order: "cloudinary"));
        using var client = TusClient(api);
        var video = Samples.Mp4(512 * 1024, seed: 11);

        var location = await UploadWholeAsync(client, video, "Stored later");

        var storing = await VideoAsync(api, location);
        Assert.Equal("storing", storing.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, storing.GetProperty("video").ValueKind);
        Assert.Equal("failed", storing.GetProperty("attempts")[0].GetProperty("outcome").GetString());
        Assert.Single(Directory.EnumerateFiles(Staging));

        Cloudinary.Faults.Clear();
        await Eventually.UntilAsync(async () => (await VideoAsync(api, location)).GetProperty("status").GetString() == "ready", "the retry job stored the upload", TimeSpan.FromSeconds(120));

        var ready = await VideoAsync(api, location);
        Assert.Equal("cloudinary", ready.GetProperty("video").GetProperty("provider").GetString());
        Assert.Equal(Samples.Sha256(video), ready.GetProperty("video").GetProperty("sha256").GetString());
        Assert.Single(Cloudinary.Assets);
        Assert.Empty(Directory.EnumerateFiles(Staging));
    }

    /// <summary>Creation, then the whole file in one PATCH; returns the upload's location.</summary>
    private static async Task<string> UploadWholeAsync(HttpClient client, byte[] video, string title)
    {
        var location = await CreateAsync(client, video.Length, title);
        await PatchAcceptedAsync(client, location, video, 0, video.Length);
        return location;
    }

    private static Dictionary<string, string> Metadata() => new() { ["title"] = "Survives a crash", ["filename"] = "clip.mp4", ["filetype"] = "video/mp4" };
}
