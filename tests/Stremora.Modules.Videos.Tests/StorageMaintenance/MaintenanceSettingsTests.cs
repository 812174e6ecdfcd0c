using System.Net;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Videos.Rebalance;
using Stremora.Modules.Videos.Reconcile;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;

namespace Stremora.Modules.Videos.Tests.StorageMaintenance;

/// <summary>
/// The same host with return-to-primary switched off, reconciliation on its own schedule with an hour of
/// grace, and a circuit breaker that opens after two failures and stays open.
/// </summary>
public sealed class GuardedMaintenanceApiFactory : MaintenanceApiFactory
{
    public const string ReconcileCron = "0 4 * * *";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        With("Storage:Rebalance:Enabled", "false");
        With("Storage:Reconcile:Cron", ReconcileCron);
        With("Storage:Reconcile:OrphanGraceMinutes", "60");
        With("Storage:CircuitBreaker:MinimumThroughput", "2");
        With("Storage:CircuitBreaker:BreakDurationSeconds", "3600");
    }
}

/// <summary>Both jobs can be switched off and scheduled; neither touches what it must not.</summary>
public sealed class MaintenanceSettingsTests(GuardedMaintenanceApiFactory api) : IClassFixture<GuardedMaintenanceApiFactory>
{
    [Fact]
    public async Task Switched_off_return_to_primary_has_no_schedule_and_its_route_is_409_while_reconciliation_keeps_its_cron()
    {
        using var admin = api.ClientFor("settings-admin", admin: true);

        using var refused = await admin.PostAsync(new Uri("/api/admin/storage/rebalance", UriKind.Relative), null);
        var problem = await refused.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("Storage__Rebalance__Enabled", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var connection = api.Services.GetRequiredService<JobStorage>().GetConnection();
        var recurring = connection.GetRecurringJobs().ToDictionary(j => j.Id);
        Assert.False(recurring.ContainsKey(StorageRebalanceJob.RecurringJobId));
        Assert.Equal(GuardedMaintenanceApiFactory.ReconcileCron, recurring[StorageReconcileJob.RecurringJobId].Cron);

        var (status, body) = await admin.SendAsync(HttpMethod.Get, "/api/admin/storage/maintenance");
        Assert.Equal(HttpStatusCode.OK, status);
        var settings = JsonDocument.Parse(body).RootElement;
        Assert.False(settings.GetProperty("rebalance").GetProperty("enabled").GetBoolean());
        Assert.True(settings.GetProperty("reconcile").GetProperty("enabled").GetBoolean());
        Assert.Equal(60, settings.GetProperty("reconcile").GetProperty("orphanGraceMinutes").GetInt32());
    }

    [Fact]
    public async Task Return_to_primary_sends_nothing_to_cloudinary_while_its_circuit_is_open()
    {
        using var owner = api.ClientFor("settings-owner");
        JsonElement video;
        api.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        try
        {
            // Two failures open the circuit; the third upload skips Cloudinary altogether.
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal("s3", (await owner.UploadValidAsync($"Opens the circuit {i}", Samples.Mp4(3000, seed: (byte)(100 + i)))).Provider());
            }

            video = await owner.UploadValidAsync("While it is open", Samples.Mp4(3000, seed: 110));
        }
        finally
        {
            api.Cloudinary.Faults.Clear();
        }

        Assert.Equal("s3", video.Provider());
        var uploadsBefore = api.Cloudinary.Requests.Count(r => r.Operation == "upload");

        var report = await api.Job<StorageRebalanceJob>().RunAsync(null, CancellationToken.None);

        Assert.Equal("primary unavailable", report.Outcome);
        Assert.Equal("open", report.PrimaryCircuit);
        Assert.Empty(report.Files);
        Assert.Equal(uploadsBefore, api.Cloudinary.Requests.Count(r => r.Operation == "upload"));
        Assert.Equal("s3", (await api.VideoAsync(video.Id())).Video!.Provider);
    }

    [Fact]
    public async Task An_orphan_younger_than_the_grace_period_is_counted_but_left_alone()
    {
        var key = $"stremora/videos/{Guid.CreateVersion7():N}/video";
        var bytes = Samples.Mp4(2048, seed: 120);
        await api.PutS3Async(key, bytes);

        var report = await api.Job<StorageReconcileJob>().RunAsync(null, CancellationToken.None);

        var s3 = Assert.Single(report.Providers, p => p.Provider == "s3");
        Assert.True(s3.OrphansWithinGrace >= 1);
        Assert.DoesNotContain(report.OrphansDeleted, o => o.Locator == key);
        Assert.Equal(bytes, await api.S3BytesAsync(key));
    }

    [Theory]
    [InlineData("GET", "/api/admin/storage/maintenance")]
    [InlineData("POST", "/api/admin/storage/rebalance")]
    [InlineData("POST", "/api/admin/storage/reconcile")]
    public async Task The_maintenance_routes_are_for_admins_only(string method, string url)
    {
        using var anonymous = api.CreateClient();
        using var user = api.ClientFor("not-an-admin");

        using var noToken = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        using var notAdmin = await user.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
    }
}
