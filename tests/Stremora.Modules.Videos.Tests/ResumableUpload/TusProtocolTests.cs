using System.Net;
using System.Security.Cryptography;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.Media;

namespace Stremora.Modules.Videos.Tests.ResumableUpload;

/// <summary>Each rule of tus 1.0 (core, creation, creation-with-upload, checksum, termination) through raw HTTP against the real host.</summary>
public sealed class TusProtocolTests(UploadsApiFactory api) : IClassFixture<UploadsApiFactory>
{
    private const string Owner = "tus-owner";

    [Fact]
    public async Task Options_announce_the_version_extensions_largest_upload_and_checksum_algorithms()
    {
        using var anonymous = new HttpClient { BaseAddress = api.ServerAddress };
        using var response = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/api/uploads"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", Header(response, "Tus-Resumable"));
        Assert.Equal("1.0.0", Header(response, "Tus-Version"));
        Assert.Equal("creation,creation-with-upload,expiration,checksum,termination", Header(response, "Tus-Extension"));
        Assert.Equal(UploadsApiFactory.MaxVideoBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "Tus-Max-Size"));
        Assert.Contains("sha1", Header(response, "Tus-Checksum-Algorithm").Split(','));
    }

    [Fact]
    public async Task A_request_in_another_tus_version_is_refused_with_412_and_the_versions_spoken()
    {
        using var client = api.TusClient(Owner);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/uploads");
        request.Headers.Remove("Tus-Resumable");
        request.Headers.Add("Tus-Resumable", "0.2.2");
        request.Headers.Add("Upload-Length", "100");
        using var response = await client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("1.0.0", Header(response, "Tus-Version"));
        Assert.Equal("1.0.0", Header(response, "Tus-Resumable"));
    }

    [Fact]
    public async Task An_anonymous_caller_gets_401_and_still_the_tus_version()
    {
        using var anonymous = api.TusClient(null);
        using var response = await anonymous.CreateAsync(100, UploadsApiFactory.Metadata(("title", "No one")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("1.0.0", Header(response, "Tus-Resumable"));
    }

    [Fact]
    public async Task Creation_answers_201_with_its_location_and_expiry_and_the_video_is_uploading_for_its_owner_only()
    {
        using var client = api.TusClient(Owner);
        using var response = await client.CreateAsync(4096, UploadsApiFactory.Metadata(("title", "Created"), ("description", "Bytes follow"), ("filename", "a.mp4"), ("filetype", "video/mp4")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.Matches("^/api/uploads/[0-9a-f-]{36}$", location);
        Assert.True(DateTimeOffset.Parse(Header(response, "Upload-Expires"), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddHours(23));
        var video = await client.VideoAsync(TusHttp.IdOf(location));
        Assert.Equal("uploading", video.GetProperty("status").GetString());
        Assert.Equal("Created", video.GetProperty("title").GetString());
        Assert.Equal("Bytes follow", video.GetProperty("description").GetString());

        using var stranger = api.TusClient("someone-else");
        using var hidden = await stranger.GetAsync(new Uri($"/api/videos/{TusHttp.IdOf(location)}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task Creation_over_the_size_limit_is_413_before_any_byte()
    {
        using var client = api.TusClient(Owner);
        using var response = await client.CreateAsync(UploadsApiFactory.MaxVideoBytes + 1, UploadsApiFactory.Metadata(("title", "Too big")));

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains(UploadsApiFactory.MaxVideoBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.GetProperty("detail").GetString());
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData(null, "title")]
    [InlineData("title ", "title")]
    [InlineData("title %%%", null)]
    public async Task Creation_with_missing_or_malformed_metadata_is_400_saying_what_is_wrong(string? metadata, string? field)
    {
        using var client = api.TusClient(Owner);
        using var response = await client.CreateAsync(100, metadata);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        if (field is not null)
        {
            Assert.Contains(field, problem.ErrorNames());
        }
        else
        {
            Assert.Contains("base64", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Head_reports_the_offset_length_and_metadata_and_forbids_caching()
    {
        using var client = api.TusClient(Owner);
        var metadata = UploadsApiFactory.Metadata(("title", "Headed"), ("filename", "h.mp4"));
        using var created = await client.CreateAsync(4096, metadata);
        var location = created.Headers.Location!.OriginalString;
        using (var patched = await client.PatchAsync(location, 0, Samples.Mp4(4096)[..1000]))
        {
            Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
            Assert.Equal(1000, patched.Offset());
            Assert.NotNull(Header(patched, "Upload-Expires"));
        }

        using var head = await client.HeadAsync(location);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(1000, head.Offset());
        Assert.Equal("4096", Header(head, "Upload-Length"));
        Assert.Equal(metadata, Header(head, "Upload-Metadata"));
        Assert.Equal("no-store", head.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task A_chunk_of_another_content_type_is_415()
    {
        using var client = api.TusClient(Owner);
        var location = await client.CreateValidAsync(4096);
        using var response = await client.PatchAsync(location, 0, Samples.Mp4(4096), contentType: "application/octet-stream");

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        using var head = await client.HeadAsync(location);
        Assert.Equal(0, head.Offset());
    }

    [Fact]
    public async Task A_chunk_at_the_wrong_offset_is_409_and_changes_nothing()
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(4096);
        var location = await client.CreateValidAsync(video.Length);
        await client.PatchAcceptedAsync(location, 0, video[..2048]);

        using var response = await client.PatchAsync(location, 1024, video[1024..]);

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
        using var head = await client.HeadAsync(location);
        Assert.Equal(2048, head.Offset());
    }

    [Fact]
    public async Task A_chunk_going_past_the_upload_length_is_413_and_changes_nothing()
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(4096);
        var location = await client.CreateValidAsync(video.Length);

        using var response = await client.PatchAsync(location, 0, Samples.Mp4(5000));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        using var head = await client.HeadAsync(location);
        Assert.Equal(0, head.Offset());
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    [InlineData("md5")]
    public async Task A_chunk_whose_checksum_does_not_match_is_460_and_discarded_and_a_matching_one_is_taken(string algorithm)
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(4096);
        var location = await client.CreateValidAsync(video.Length);
        var chunk = video[..1024];
        var wrong = Checksum(algorithm, video[1..1025]);

        using (var mismatch = await client.PatchAsync(location, 0, chunk, wrong))
        {
            await mismatch.AssertProblemAsync((HttpStatusCode)460);
        }

        using (var head = await client.HeadAsync(location))
        {
            Assert.Equal(0, head.Offset());
        }

        Assert.Equal(0, new FileInfo(StagedPath(location)).Length);
        using var matching = await client.PatchAsync(location, 0, chunk, Checksum(algorithm, chunk));
        Assert.Equal(HttpStatusCode.NoContent, matching.StatusCode);
        Assert.Equal(1024, matching.Offset());
    }

    [Fact]
    public async Task A_checksum_in_an_unknown_algorithm_is_400()
    {
        using var client = api.TusClient(Owner);
        var location = await client.CreateValidAsync(4096);
        using var response = await client.PatchAsync(location, 0, Samples.Mp4(4096), "crc32 AAAAAA==");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("sha1", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_last_chunk_stores_the_video_through_the_chain_and_it_is_ready_with_the_same_bytes()
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(300 * 1024);
        var location = await client.CreateValidAsync(video.Length, "Two chunks");
        await client.PatchAcceptedAsync(location, 0, video[..100_000]);

        Assert.Equal(video.Length, await client.PatchAcceptedAsync(location, 100_000, video[100_000..]));

        var ready = await client.VideoAsync(TusHttp.IdOf(location));
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("Two chunks", ready.GetProperty("title").GetString());
        Assert.Equal("local", ready.GetProperty("video").GetProperty("provider").GetString());
        Assert.Equal(video.Length, ready.GetProperty("video").GetProperty("bytes").GetInt64());
        Assert.Equal(Samples.Sha256(video), ready.GetProperty("video").GetProperty("sha256").GetString());
        Assert.Equal("video/mp4", ready.GetProperty("video").GetProperty("contentType").GetString());
        Assert.False(File.Exists(StagedPath(location)));
        // Analysed on the staged file, as a multipart upload is on its spool.
        Assert.Equal(TestVideos.ClipSeconds, ready.GetProperty("media").GetProperty("durationSeconds").GetDouble(), 0.1);
        Assert.Equal("h264", ready.GetProperty("media").GetProperty("videoCodec").GetString());

        using var history = await client.GetAsync(new Uri($"/api/videos/{TusHttp.IdOf(location)}/history", UriKind.Relative));
        var types = System.Text.Json.JsonDocument.Parse(await history.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["VideoUploadStarted", "ResumableUploadCreated", "VideoBytesReceived", "VideoFileStored", "VideoAnalyzed", "VideoReady"], types);
    }

    [Fact]
    public async Task Creation_with_upload_takes_the_first_chunk_in_the_same_request()
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(4096);
        using var response = await client.CreateAsync(video.Length, UploadsApiFactory.Metadata(("title", "At once")), video);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(video.Length, response.Offset());
        var ready = await client.VideoAsync(TusHttp.IdOf(response.Headers.Location!.OriginalString));
        Assert.Equal("ready", ready.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Bytes_that_are_not_a_video_are_415_and_the_upload_is_terminated()
    {
        using var client = api.TusClient(Owner);
        var text = Samples.NotAVideo();
        var location = await client.CreateValidAsync(text.Length);

        using var response = await client.PatchAsync(location, 0, text);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        using var head = await client.HeadAsync(location);
        Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        Assert.False(File.Exists(StagedPath(location)));
        var video = await client.VideoAsync(TusHttp.IdOf(location));
        Assert.Equal("failed", video.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Termination_is_204_removes_the_staged_bytes_and_the_upload_is_gone()
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(4096);
        var location = await client.CreateValidAsync(video.Length);
        await client.PatchAcceptedAsync(location, 0, video[..1024]);

        Assert.True(File.Exists(StagedPath(location)));
        using var deleted = await client.DeleteAsync(new Uri(location, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.False(File.Exists(StagedPath(location)));
        using var head = await client.HeadAsync(location);
        Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        using var patch = await client.PatchAsync(location, 1024, video[1024..]);
        await patch.AssertProblemAsync(HttpStatusCode.Gone);
        using var again = await client.DeleteAsync(new Uri(location, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
    }

    [Fact]
    public async Task An_unknown_upload_is_404()
    {
        using var client = api.TusClient(Owner);
        using var head = await client.HeadAsync($"/api/uploads/{Guid.CreateVersion7()}");
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Someone_elses_upload_is_404_to_every_method_and_an_admin_may_see_it()
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(4096);
        var location = await client.CreateValidAsync(video.Length);
        using var stranger = api.TusClient("a-stranger");

        using (var head = await stranger.HeadAsync(location))
        {
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }

        using (var patch = await stranger.PatchAsync(location, 0, video))
        {
            await patch.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        using (var delete = await stranger.DeleteAsync(new Uri(location, UriKind.Relative)))
        {
            await delete.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        using var anonymous = api.TusClient(null);
        using (var head = await anonymous.HeadAsync(location))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, head.StatusCode);
        }

        using var admin = api.TusClient("an-admin", admin: true);
        using var adminHead = await admin.HeadAsync(location);
        Assert.Equal(HttpStatusCode.OK, adminHead.StatusCode);
        Assert.Equal(0, adminHead.Offset());
    }

    [Fact]
    public async Task Of_two_concurrent_chunks_on_one_upload_one_proceeds_and_the_other_is_refused()
    {
        using var client = api.TusClient(Owner);
        var video = Samples.Mp4(64 * 1024);
        var location = await client.CreateValidAsync(video.Length);
        // The first chunk: its headers and first kilobyte, by hand, then the connection waits with the rest unsent.
        using var held = new System.Net.Sockets.TcpClient();
        await held.ConnectAsync(api.ServerAddress.Host, api.ServerAddress.Port);
        var stream = held.GetStream();
        var head = $"PATCH {location} HTTP/1.1\r\nHost: {api.ServerAddress.Authority}\r\nTus-Resumable: 1.0.0\r\n"
                   + $"Authorization: {client.DefaultRequestHeaders.Authorization}\r\nContent-Type: {TusHttp.ChunkType}\r\n"
                   + $"Upload-Offset: 0\r\nContent-Length: {video.Length}\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(video.AsMemory(0, 1024));
        await stream.FlushAsync();
        await Eventually.UntilAsync(() => File.Exists(StagedPath(location)) && new FileInfo(StagedPath(location)).Length > 0, "the first chunk is being written", TimeSpan.FromSeconds(20));

        using (var second = await client.PatchAsync(location, 0, video))
        {
            await second.AssertProblemAsync(HttpStatusCode.Locked);
        }

        await stream.WriteAsync(video.AsMemory(1024));
        await stream.FlushAsync();
        var response = new byte[4096];
        var read = await stream.ReadAtLeastAsync(response, 12, throwOnEndOfStream: false);
        Assert.StartsWith("HTTP/1.1 204", System.Text.Encoding.ASCII.GetString(response, 0, read), StringComparison.Ordinal);
        using var after = await client.HeadAsync(location);
        Assert.Equal(video.Length, after.Offset());
    }

    private string StagedPath(string location) => Path.Combine(api.StagingDirectory, TusHttp.IdOf(location).ToString("N"));

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(",", content) : null!;

    private static string Checksum(string algorithm, byte[] bytes)
    {
        // The checksum extension names these algorithms (sha1 above all): integrity of a chunk, not security.
        using var hash = IncrementalHash.CreateHash(new HashAlgorithmName(algorithm.ToUpperInvariant()));
        hash.AppendData(bytes);
        return algorithm + " " + Convert.ToBase64String(hash.GetHashAndReset());
    }
}
