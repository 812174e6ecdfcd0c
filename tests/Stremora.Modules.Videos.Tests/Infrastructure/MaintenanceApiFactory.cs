using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.GetVideo;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>
/// The real host with the fake Cloudinary first and S3 (moto_server) behind it, for the storage
/// maintenance jobs. The recurring schedules never fire on their own ("never" cron): tests run the jobs when they
/// mean to, through the admin routes or the job classes the schedule runs. The circuit breaker is made
/// patient so that one test's Cloudinary failures do not open it for the next.
/// </summary>
public partial class MaintenanceApiFactory : StremoraApiFactory
{
    public const string Never = "0 0 31 2 *";

    public FakeCloudinaryServer Cloudinary { get; private set; } = null!;

    public TestBucket Bucket { get; private set; } = null!;

    /// <summary>The fallback provider's name.</summary>
    public string Fallback { get; } = "s3";

    /// <summary>Holds a return-to-primary copy in flight on demand.</summary>
    public CopyHold Copies { get; } = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Cloudinary = await FakeCloudinaryServer.StartAsync();
        Bucket = await MotoServer.Instance.CreateBucketAsync();
        With(Cloudinary.Settings).WithS3(Bucket);

        With("Storage:Order", $"cloudinary,{Fallback}");
        With("Storage:CircuitBreaker:MinimumThroughput", "1000");
        With("Upload:MaxVideoBytes", (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        With("Cleanup:RetryDelaySeconds", "1");
        With("Storage:Rebalance:Cron", Never);
        With("Storage:Rebalance:MaxFilesPerRun", "2");
        With("Storage:Reconcile:Cron", Never);
        With("Storage:Reconcile:OrphanGraceMinutes", "0");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Cloudinary.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            var real = services.Single(d => d.ServiceType == typeof(IStorageMaintenance));
            services.Remove(real);
            services.AddSingleton<IStorageMaintenance>(sp =>
                new HoldableStorageMaintenance((IStorageMaintenance)ActivatorUtilities.CreateInstance(sp, real.ImplementationType!), Copies));
        });
    }

    /// <summary>Runs one statement on the host's database (to do to PostgreSQL what time or a crash would).</summary>
    public async Task<int> ExecuteSqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    internal T Job<T>()
        where T : notnull => Services.GetRequiredService<T>();

    internal async Task<VideoDetails> VideoAsync(Guid id)
    {
        await using var session = Store.QuerySession();
        return await session.LoadAsync<VideoDetails>(id) ?? throw new InvalidOperationException($"No video {id}.");
    }

    /// <summary>Uploads while Cloudinary answers 500, so the video lands on the fallback; Cloudinary is healthy again afterwards.</summary>
    public async Task<JsonElement> UploadToFallbackAsync(HttpClient owner, string title, byte[] bytes)
    {
        Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        try
        {
            return await owner.UploadValidAsync(title, bytes);
        }
        finally
        {
            Cloudinary.Faults.Clear();
        }
    }

    /// <summary>The object's bytes on S3, or null when there is no such object.</summary>
    public async Task<byte[]?> S3BytesAsync(string key)
    {
        using var client = Bucket.Server.CreateClient();
        try
        {
            using var response = await client.GetObjectAsync(Bucket.Name, key);
            using var bytes = new MemoryStream();
            await response.ResponseStream.CopyToAsync(bytes);
            return bytes.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes an object behind the service's back.</summary>
    public async Task DeleteS3Async(string key)
    {
        using var client = Bucket.Server.CreateClient();
        await client.DeleteObjectAsync(Bucket.Name, key);
    }

    /// <summary>Writes an object behind the service's back.</summary>
    public async Task PutS3Async(string key, byte[] bytes)
    {
        using var client = Bucket.Server.CreateClient();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket.Name, Key = key, InputStream = new MemoryStream(bytes) });
    }

    /// <summary>Waits until the video's history holds an event of this type, and returns the history.</summary>
    public static async Task<JsonElement> HistoryWithAsync(HttpClient owner, Guid id, string type)
    {
        JsonElement history = default;
        await Eventually.UntilAsync(
            async () =>
            {
                var (status, body) = await owner.SendAsync(HttpMethod.Get, $"/api/videos/{id}/history");
                Assert.Equal(HttpStatusCode.OK, status);
                history = JsonDocument.Parse(body).RootElement.Clone();
                return history.EnumerateArray().Any(e => e.GetProperty("type").GetString() == type);
            },
            $"video {id}'s history records {type}");
        return history;
    }

    /// <summary>
    /// Loopback URLs carry random ports, Cloudinary's an upload-time version, S3's a per-run bucket and a
    /// presigned query (time, signature): none of that belongs in a snapshot.
    /// </summary>
    public static string ScrubUrls(string json) =>
        Presigned().Replace(BucketName().Replace(Version().Replace(Port().Replace(json, "http://loopback/"), "/v<version>/"), "<bucket>"), "?<presigned>");

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/")]
    private static partial Regex Port();

    [GeneratedRegex(@"/v\d+/")]
    private static partial Regex Version();

    [GeneratedRegex(@"stremora-test-[0-9a-f]+")]
    private static partial Regex BucketName();

    [GeneratedRegex(@"\?X-Amz-[^""]*")]
    private static partial Regex Presigned();
}

/// <summary>
/// The maintenance tests share one host and run one after another: they plant and remove files behind its back.
/// The collection also runs alone, after the others: Hangfire keeps its job activator and log provider in
/// static state that the last host to start owns, so with two hosts alive (or one disposed) jobs run in the
/// wrong container and these tests wait on Hangfire-run jobs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MaintenanceApiGroup : ICollectionFixture<MaintenanceApiFactory>
{
    public const string Name = "storage-maintenance";
}
