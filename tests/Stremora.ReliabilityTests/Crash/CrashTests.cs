using System.Globalization;
using System.Net;
using System.Text.Json;
using Npgsql;
using Stremora.ReliabilityTests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.Postgres;
using Stremora.TestKit.S3;

namespace Stremora.ReliabilityTests.Crash;

/// <summary>
/// kill -9 of the API process mid-upload and right after a delete, then a restart on the same database:
/// the sweep and the cleanup jobs must finish what the dead process left, on every provider.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private const string Owner = "crash-owner";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly string _spoolDirectory = Path.Combine(Path.GetTempPath(), $"stremora-crash-spool-{Guid.NewGuid():N}");
    private string _connectionString = null!;
    private FakeCloudinaryServer _cloudinary = null!;
    private TestBucket _bucket = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await PostgresServer.Instance.CreateDatabaseAsync("stremora_crash");
        _cloudinary = await FakeCloudinaryServer.StartAsync();
        _bucket = await MotoServer.Instance.CreateBucketAsync();
        Directory.CreateDirectory(_spoolDirectory);
    }

    public async Task DisposeAsync()
    {
        await _cloudinary.DisposeAsync();
        Directory.Delete(_spoolDirectory, recursive: true);
    }

    [Fact]
    public async Task Killed_during_a_200_MiB_upload_the_restarted_service_leaves_nothing_uploading_or_orphaned()
    {
        // Cloudinary down: the upload fails over to S3, so the crash strands a multipart upload there.
        _cloudinary.Faults.FailAll(FakeCloudinaryFault.ServiceUnavailable);
        await using (var first = await ApiProcess.StartAsync(Settings()))
        {
            using var client = first.Client(Owner);
            var upload = UploadLargeAsync(client, 200L * 1024 * 1024);
            await Eventually.UntilAsync(
                async () => upload.IsCompleted || ((await _bucket.MultipartUploadsAsync()).Count > 0 && SpoolBytes() > 40L * 1024 * 1024),
                "S3 has a multipart upload in progress and the spool holds 40 MiB",
                Deadline);
            Assert.False(upload.IsCompleted, $"The upload ended before the crash: {first.Output}");
            await first.KillAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => upload);
        }

        Assert.NotEmpty(await _bucket.MultipartUploadsAsync());
        Assert.Equal(1, await CountAsync("select count(*) from stremora.mt_doc_videodetails where data->>'status' = 'uploading'"));

        _cloudinary.Faults.Clear();
        await using var second = await ApiProcess.StartAsync(Settings(abandonedAfter: "00:00:01", sweepCron: "*/2 * * * * *"));
        await Eventually.UntilAsync(
            async () => await CountAsync("select count(*) from stremora.mt_doc_videodetails where data->>'status' = 'uploading'") == 0
                        && (await _bucket.MultipartUploadsAsync()).Count == 0,
            "the sweep failed the stuck upload and aborted its S3 multipart upload",
            Deadline);

        Assert.Equal(1, await CountAsync("select count(*) from stremora.mt_doc_videodetails where data->>'status' = 'failed'"));
        Assert.Empty(await _bucket.KeysAsync());
        Assert.Empty(await _bucket.MultipartUploadsAsync());
        Assert.Empty(_cloudinary.Assets);
        Assert.Empty(Directory.EnumerateFiles(_spoolDirectory));
    }

    [Fact]
    public async Task Killed_right_after_a_delete_the_restarted_service_runs_every_cleanup_that_was_due()
    {
        Guid id;
        await using (var first = await ApiProcess.StartAsync(Settings()))
        {
            using var client = first.Client(Owner);
            using var form = UploadForm.Valid("Deleted then crashed", Samples.Mp4(1024 * 1024)).Build();
            using var created = await client.PostAsync(new Uri("api/videos", UriKind.Relative), form);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
            Assert.Single(_cloudinary.Assets);

            // Cloudinary refuses every destroy: the cleanup job cannot finish before the crash.
            _cloudinary.Faults.FailAll(FakeCloudinaryFault.ServiceUnavailable);
            using var deleted = await client.DeleteAsync(new Uri($"api/videos/{id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            await first.KillAsync();
        }

        Assert.Single(_cloudinary.Assets);
        _cloudinary.Faults.Clear();
        await using var second = await ApiProcess.StartAsync(Settings());
        using var admin = second.Client("crash-admin", admin: true);
        await Eventually.UntilAsync(
            async () => _cloudinary.Assets.Count == 0 && (await HistoryAsync(admin, id)).Contains("StoredFileCleanedUp"),
            "the cleanup scheduled before the crash removed the file and recorded StoredFileCleanedUp",
            Deadline);

        var history = await HistoryAsync(admin, id);
        Assert.Equal(history.Count(t => t == "StoredFileCleanupScheduled"), history.Count(t => t == "StoredFileCleanedUp"));
        Assert.Empty(await _bucket.KeysAsync());
        Assert.Empty(Directory.EnumerateFiles(_spoolDirectory));
    }

    [Fact]
    public async Task Killed_while_a_cleanup_job_was_running_the_restarted_service_runs_it_again()
    {
        Guid id;
        await using (var first = await ApiProcess.StartAsync(Settings(destroyTimeout: "00:01:00")))
        {
            using var client = first.Client(Owner);
            using var form = UploadForm.Valid("Deleted, crashed mid-cleanup", Samples.Mp4(1024 * 1024)).Build();
            using var created = await client.PostAsync(new Uri("api/videos", UriKind.Relative), form);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();

            // Every destroy hangs: the cleanup job is caught mid-flight ("Processing") by the kill.
            _cloudinary.Faults.FailAll(FakeCloudinaryFault.Hang);
            using var deleted = await client.DeleteAsync(new Uri($"api/videos/{id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            await Eventually.UntilAsync(
                async () => await CountAsync("select count(*) from hangfire.job where statename = 'Processing' and invocationdata::text like '%StoredFileCleanupJob%'") > 0,
                "the cleanup job is running",
                Deadline);
            await first.KillAsync();
        }

        Assert.Single(_cloudinary.Assets);
        _cloudinary.Faults.Clear();
        await using var second = await ApiProcess.StartAsync(Settings());
        using var admin = second.Client("crash-admin", admin: true);
        await Eventually.UntilAsync(
            async () => _cloudinary.Assets.Count == 0 && (await HistoryAsync(admin, id)).Contains("StoredFileCleanedUp"),
            "the cleanup job the crash interrupted ran again, removed the file and recorded StoredFileCleanedUp",
            Deadline);
    }

    private static async Task<IReadOnlyList<string>> HistoryAsync(HttpClient client, Guid id)
    {
        var body = await client.GetStringAsync(new Uri($"api/videos/{id}/history", UriKind.Relative));
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.GetProperty("type").GetString()!)];
    }

    private static async Task UploadLargeAsync(HttpClient client, long size)
    {
        using var form = new UploadForm().Field("title", "Crashed mid-upload").File("video", Samples.Mp4Stream(size), "video/mp4", "big.mp4").Build();
        using var response = await client.PostAsync(new Uri("api/videos", UriKind.Relative), form);
        throw new InvalidOperationException($"The upload was answered ({(int)response.StatusCode}) though the service was killed during it.");
    }

    private long SpoolBytes() => Directory.EnumerateFiles(_spoolDirectory).Sum(f => new FileInfo(f).Length);

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private ApiProcessOptions Settings(string? abandonedAfter = null, string? sweepCron = null, string destroyTimeout = "00:00:03")
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:Postgres"] = _connectionString,
            ["Auth:SigningKey"] = TestTokens.SigningKey,
            ["Storage:Order"] = "cloudinary,s3",
            ["Storage:SpoolDirectory"] = _spoolDirectory,
            ["Storage:Cloudinary:ChunkSizeBytes"] = (20 * 1000 * 1000).ToString(CultureInfo.InvariantCulture),
            ["Storage:Cloudinary:DestroyAttemptTimeout"] = destroyTimeout,
            ["Storage:CircuitBreaker:MinimumThroughput"] = "100000",
            ["Cleanup:RetryDelaySeconds"] = "1",
            ["Cleanup:MaxRetryDelaySeconds"] = "2",
            // A job the killed process was running is taken up again by the restarted one after this.
            ["Hangfire:InvisibilityTimeout"] = "00:00:05",
            // Only the sweep test sweeps: moto dates every multipart upload 2010, so a sweep on the wall clock aborts live ones.
            ["Upload:SweepCron"] = Stremora.TestKit.Host.StremoraApiFactory.NeverCron,
            ["Storage:Rebalance:Cron"] = Stremora.TestKit.Host.StremoraApiFactory.NeverCron,
            ["Storage:Reconcile:Cron"] = Stremora.TestKit.Host.StremoraApiFactory.NeverCron,
        };
        foreach (var (key, value) in _cloudinary.Settings)
        {
            settings[key] = value!;
        }

        foreach (var (key, value) in _bucket.Settings)
        {
            settings[key] = value;
        }

        if (abandonedAfter is not null)
        {
            settings["Upload:AbandonedAfter"] = abandonedAfter;
        }

        if (sweepCron is not null)
        {
            settings["Upload:SweepCron"] = sweepCron;
        }

        return new ApiProcessOptions { Settings = settings };
    }
}
