using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;
using Stremora.Modules.Storage.Contracts;
using Stremora.TestKit.Host;
using Stremora.TestKit.S3;
using Stremora.TestKit.Snapshots;

namespace Stremora.Modules.Storage.Tests.Admin;

/// <summary>GET /api/admin/storage and the storage part of /health/ready, through the real host.</summary>
public sealed class StorageStatusTests
{
    private static StoreFileRequest Request() => new(StoredFileKind.Video, $"videos/{Guid.CreateVersion7()}/video", "video/mp4", 1_000_000);

    /// <summary>A host whose S3 points at a bucket that does not exist (moto answers 404 at once), so its attempts fail.</summary>
    private static async Task<StremoraApiFactory> HostWithBrokenS3Async(string order)
    {
        var missing = new TestBucket(MotoServer.Instance, $"no-such-bucket-{Guid.NewGuid():N}"[..30]);
        var api = new StremoraApiFactory()
            .WithS3(missing)
            .With("Storage:Order", order)
            .With("Storage:CircuitBreaker:MinimumThroughput", "2")
            .With("Storage:CircuitBreaker:BreakDurationSeconds", "600");
        await api.InitializeAsync();
        return api;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, string Raw)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var raw = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, raw.Length > 0 ? JsonDocument.Parse(raw).RootElement.Clone() : default, raw);
    }

    /// <summary>Failure times differ per run: pinned as a marker so the snapshot file never changes.</summary>
    private static JToken ScrubTimes(JToken body)
    {
        foreach (var provider in body["providers"]!)
        {
            if (provider["lastFailureAt"] is JValue { Type: not JTokenType.Null } at)
            {
                at.Value = "<time>";
            }
        }

        return body;
    }

    [Fact]
    public async Task With_no_cloud_configured_local_disk_is_the_chain_and_readiness_is_healthy()
    {
        await using var api = new StremoraApiFactory();
        await api.InitializeAsync();

        var (status, body, raw) = await GetAsync(api.ClientFor("admin-1", admin: true), "/api/admin/storage");
        var (readyStatus, ready, _) = await GetAsync(api.CreateClient(), "/health/ready");

        Assert.Equal(HttpStatusCode.OK, status);
        Json.Parse(raw).MatchSnapshot();
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("storage").GetString());
        Assert.Equal(3, body.GetProperty("providers").GetArrayLength());
    }

    [Fact]
    public async Task A_provider_with_an_open_circuit_is_shown_open_and_readiness_is_degraded_but_200()
    {
        await using var api = await HostWithBrokenS3Async("s3,local");
        var storage = api.Services.GetRequiredService<IVideoStorage>();

        // Two failures open S3's circuit (MinimumThroughput 2); the third upload skips it.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("local", Assert.IsType<StoreOutcome.Stored>(await storage.StoreAsync(Request(), new MemoryStream(new byte[1000]), CancellationToken.None)).File.Provider);
        }

        var (status, _, raw) = await GetAsync(api.ClientFor("admin-1", admin: true), "/api/admin/storage");
        var (readyStatus, ready, readyRaw) = await GetAsync(api.CreateClient(), "/health/ready");

        Assert.Equal(HttpStatusCode.OK, status);
        ScrubTimes(Json.Parse(raw)).MatchSnapshot();
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Degraded", ready.GetProperty("status").GetString());
        Assert.Equal("Degraded", ready.GetProperty("checks").GetProperty("storage").GetString());
        Assert.DoesNotContain("127.0.0.1", readyRaw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_stays_200_degraded_when_no_provider_can_take_uploads_but_postgresql_is_up()
    {
        await using var api = await HostWithBrokenS3Async("s3");
        var storage = api.Services.GetRequiredService<IVideoStorage>();
        for (var i = 0; i < 2; i++)
        {
            Assert.IsType<StoreOutcome.AllFailed>(await storage.StoreAsync(Request(), new MemoryStream(new byte[1000]), CancellationToken.None));
        }

        var (readyStatus, ready, readyRaw) = await GetAsync(api.CreateClient(), "/health/ready");

        // Uploads answer 503 on their own; reads, deletes and the catalog still work: the instance stays in service.
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Degraded", ready.GetProperty("status").GetString());
        Assert.Equal("Degraded", ready.GetProperty("checks").GetProperty("storage").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("postgres").GetString());
        Assert.DoesNotContain("no-such-bucket", readyRaw, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", readyRaw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_admins_may_see_the_storage_status()
    {
        await using var api = new StremoraApiFactory();
        await api.InitializeAsync();

        var anonymous = await GetAsync(api.CreateClient(), "/api/admin/storage");
        var user = await GetAsync(api.ClientFor("user-1"), "/api/admin/storage");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal(HttpStatusCode.Forbidden, user.Status);
    }
}
