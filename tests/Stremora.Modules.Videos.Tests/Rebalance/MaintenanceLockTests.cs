using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Stremora.Modules.Videos.Rebalance;
using Stremora.Modules.Videos.Reconcile;
using Stremora.Modules.Videos.StorageMaintenance;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;

namespace Stremora.Modules.Videos.Tests.Rebalance;

/// <summary>
/// Two return-to-primary runs never copy the same file at once, however long a copy takes; and if the lock is lost
/// all the same (its holder's session cut), the run that loses the race removes only its own copy.
/// </summary>
[Collection(MaintenanceApiGroup.Name)]
public sealed class MaintenanceLockTests(MaintenanceApiFactory api)
{
    [Fact]
    public async Task A_run_started_while_another_still_copies_copies_nothing_however_long_that_copy_takes()
    {
        using var owner = api.ClientFor("lock-long-copy-owner");
        var (video, bytes) = await UploadToFallbackAsync(owner, "Long copy", seed: 131);
        var held = api.Copies.HoldNext(video.Id());
        var first = Task.Run(() => api.Job<StorageRebalanceJob>().RunAsync(null, CancellationToken.None));
        try
        {
            await held.Landed.WaitAsync(TimeSpan.FromMinutes(1));
            // What a copy of many minutes does to a lease that expires: every lease in Hangfire's lock table is past its time.
            await api.ExecuteSqlAsync("UPDATE hangfire.lock SET acquired = acquired - interval '1 day'");

            var second = await api.Job<StorageRebalanceJob>().RunAsync(null, CancellationToken.None);

            Assert.Equal("another storage maintenance job was running", second.Outcome);
            Assert.Empty(second.Files);
        }
        finally
        {
            held.Release();
        }

        var report = await first;
        Assert.Equal("moved", Assert.Single(report.Files, f => f.VideoId == video.Id()).Outcome);
        await AssertPlaysFromCloudinaryAsync(video.Id(), bytes);
        Assert.Single(api.Cloudinary.Assets, a => a.PublicId.Contains($"{video.Id():N}", StringComparison.Ordinal));
        await owner.DeleteEventuallyAsync(video.Id());
    }

    [Fact]
    public async Task After_the_lock_is_taken_from_a_run_mid_copy_no_live_file_is_deleted()
    {
        using var owner = api.ClientFor("lock-takeover-owner");
        var (video, bytes) = await UploadToFallbackAsync(owner, "Taken over", seed: 141);
        var held = api.Copies.HoldNext(video.Id());
        var first = Task.Run(() => api.Job<StorageRebalanceJob>().RunAsync(null, CancellationToken.None));
        try
        {
            await held.Landed.WaitAsync(TimeSpan.FromMinutes(1));
            // The holder's session ends (a cut connection, a killed backend): the lock is free while the first run still goes on.
            Assert.Equal(1, await TerminateLockHolderAsync());

            var second = await api.Job<StorageRebalanceJob>().RunAsync(null, CancellationToken.None);

            Assert.Equal("moved", Assert.Single(second.Files, f => f.VideoId == video.Id()).Outcome);
            await AssertPlaysFromCloudinaryAsync(video.Id(), bytes);
        }
        finally
        {
            held.Release();
        }

        var report = await first;
        // The first run lost the race: its copy goes, the winner's stays.
        Assert.Equal("skipped", Assert.Single(report.Files, f => f.VideoId == video.Id()).Outcome);
        await AssertPlaysFromCloudinaryAsync(video.Id(), bytes);
        var live = (await api.VideoAsync(video.Id())).Video!.Locator;
        Assert.Equal(live, Assert.Single(api.Cloudinary.Assets, a => a.PublicId.Contains($"{video.Id():N}", StringComparison.Ordinal)).PublicId);
        // Reconciliation reads the move's key as this video's live file.
        var reconciled = await api.Job<StorageReconcileJob>().RunAsync(null, CancellationToken.None);
        Assert.DoesNotContain(reconciled.OrphansDeleted, o => o.Locator == live);
        await AssertPlaysFromCloudinaryAsync(video.Id(), bytes);
        await owner.DeleteEventuallyAsync(video.Id());
    }

    private async Task<(JsonElement Video, byte[] Bytes)> UploadToFallbackAsync(HttpClient owner, string title, byte seed)
    {
        var bytes = Samples.Mp4(5000, seed: seed);
        api.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        try
        {
            var video = await owner.UploadValidAsync(title, bytes);
            Assert.Equal(api.Fallback, video.Provider());
            return (video, bytes);
        }
        finally
        {
            api.Cloudinary.Faults.Clear();
        }
    }

    /// <returns>How many sessions holding the maintenance lock were ended.</returns>
    /// <remarks>
    /// Without a timeout pg_terminate_backend only sends the signal, and the lock is free once the backend has exited:
    /// a run started in between would rightly find it held. With one it returns once the backend is gone.
    /// </remarks>
    private async Task<int> TerminateLockHolderAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            """
            SELECT count(*) FROM (
              SELECT pg_terminate_backend(pid, 30000) AS ended FROM pg_locks
              WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND ((classid::bigint << 32) | objid::bigint) = @key) holders
            WHERE ended
            """,
            connection);
        command.Parameters.AddWithValue("key", MaintenanceLock.Key);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The API serves the video from Cloudinary, and its URL answers the uploaded bytes.</summary>
    private async Task AssertPlaysFromCloudinaryAsync(Guid id, byte[] bytes)
    {
        var (status, body) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        var video = JsonDocument.Parse(body).RootElement;
        Assert.Equal("cloudinary", video.Provider());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), video.GetProperty("video").GetProperty("sha256").GetString());
        using var plain = new HttpClient();
        Assert.Equal(bytes, await plain.GetByteArrayAsync(new Uri(video.GetProperty("video").GetProperty("url").GetString()!)));
    }
}
