using System.Net;
using System.Text.Json;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.Faults;

namespace Stremora.Modules.Videos.Tests.EndToEnd;

/// <summary>The host's S3 traffic goes through a proxy the test can switch off; cleanups retry long enough to outlast the outage.</summary>
public sealed class S3OutageApi : S3BehindProxyApi
{
    protected override void Configure(VideosApiFactory api, TcpFaultProxy proxy) => api.With("Cleanup:MaxAttempts", "20");
}

public sealed class S3OutageTests(S3OutageApi s3) : IClassFixture<S3OutageApi>
{
    [Fact]
    public async Task Delete_while_s3_is_down_retries_the_cleanup_until_s3_is_back_and_the_object_is_gone()
    {
        using var client = s3.Api.ClientFor("s3-outage-owner");
        var id = (await client.UploadValidAsync("Deleted during an outage")).GetProperty("id").GetGuid();
        Assert.Single(await s3.Bucket.KeysAsync());

        s3.Proxy.GoDown();
        try
        {
            using var deleted = await client.DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            var (gone, _) = await s3.Api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
            Assert.Equal(HttpStatusCode.NotFound, gone);

            await Eventually.UntilAsync(
                async () => (await HistoryTypesAsync(client, id)).Contains("StoredFileCleanupFailed"),
                "a cleanup attempt failed against the dead S3 and was recorded");
            Assert.Single(await s3.Bucket.KeysAsync());
        }
        finally
        {
            s3.Proxy.Fault = TcpFault.None;
        }

        await Eventually.UntilAsync(async () => (await s3.Bucket.KeysAsync()).Count == 0, "a retry deleted the object once S3 was back");
        await Eventually.UntilAsync(
            async () => (await HistoryTypesAsync(client, id)).Contains("StoredFileCleanedUp"),
            "the stream records the object cleaned up");
        var failures = (await HistoryAsync(client, id))
            .Where(e => e.GetProperty("type").GetString() == "StoredFileCleanupFailed")
            .Select(e => e.GetProperty("data"))
            .ToList();
        Assert.All(failures, f => Assert.True(f.GetProperty("willRetry").GetBoolean()));
        Assert.Equal(Enumerable.Range(1, failures.Count), failures.Select(f => f.GetProperty("attempt").GetInt32()));
    }

    private static async Task<List<JsonElement>> HistoryAsync(HttpClient client, Guid id) =>
        [.. JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/videos/{id}/history", UriKind.Relative))).RootElement.EnumerateArray()];

    private static async Task<IReadOnlyList<string>> HistoryTypesAsync(HttpClient client, Guid id) =>
        [.. (await HistoryAsync(client, id)).Select(e => e.GetProperty("type").GetString()!)];
}
