using System.Net;
using System.Text.Json;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.Faults;

namespace Stremora.Modules.Videos.Tests.EndToEnd;

/// <summary>Chain "s3,local" with S3 unreachable (its proxy is down from the start): uploads fail over to local disk.</summary>
public sealed class S3DownThenLocalApi : S3BehindProxyApi
{
    protected override void Configure(VideosApiFactory api, TcpFaultProxy proxy)
    {
        proxy.GoDown();
        api.With("Storage:Order", "s3,local");
    }
}

public sealed class FailoverEventStreamTests(S3DownThenLocalApi api) : IClassFixture<S3DownThenLocalApi>
{
    [Fact]
    public async Task The_stream_records_the_failed_s3_attempt_the_local_copy_the_delete_and_the_cleanup()
    {
        using var client = api.Api.ClientFor("failover-owner");

        using var upload = await client.UploadAsync(UploadForm.Valid("Failed over", Samples.Mp4(6000, seed: 81)));
        var body = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == HttpStatusCode.Created, body);
        var video = JsonDocument.Parse(body).RootElement;
        var id = video.GetProperty("id").GetGuid();
        Assert.Equal("local", video.GetProperty("video").GetProperty("provider").GetString());
        Assert.Equal(
            [("s3", "failed"), ("local", "stored")],
            video.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString())));

        using var deleted = await client.DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        string history = "";
        await Eventually.UntilAsync(
            async () =>
            {
                history = await client.GetStringAsync(new Uri($"/api/videos/{id}/history", UriKind.Relative));
                return history.Contains("\"type\":\"StoredFileCleanedUp\"", StringComparison.Ordinal);
            },
            "the local copy was cleaned up");

        // The S3 error text comes from the SDK and the network; pin that there is one, not its wording.
        var stream = Scrub.Json(history);
        foreach (var error in stream.SelectTokens("$[*].data.error"))
        {
            ((Newtonsoft.Json.Linq.JValue)error).Value = string.IsNullOrEmpty((string?)error) ? error.ToString() : "<s3 error>";
        }

        stream.MatchSnapshot(SnapshotNameExtension.Create("event-stream"));
    }
}
