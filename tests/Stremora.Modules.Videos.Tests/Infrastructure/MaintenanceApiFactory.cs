using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Videos.GetVideo;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>
/// The real host with the fake Cloudinary first and a fallback behind it, for the storage maintenance
/// jobs. The recurring schedules never fire on their own ("never" cron): tests run the jobs when they
/// mean to, through the admin routes or the job classes the schedule runs. The circuit breaker is made
/// patient so that one test's Cloudinary failures do not open it for the next.
/// </summary>
public sealed partial class MaintenanceApiFactory : StremoraApiFactory
{
    public const string Never = "0 0 31 2 *";

    public FakeCloudinaryServer Cloudinary { get; private set; } = null!;

    /// <summary>The fallback provider's name.</summary>
    public string Fallback { get; } = "local";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Cloudinary = await FakeCloudinaryServer.StartAsync();
        foreach (var (key, value) in Cloudinary.Settings)
        {
            With(key, value);
        }

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

    internal IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();

    internal T Job<T>()
        where T : notnull => Services.GetRequiredService<T>();

    internal async Task<VideoDetails> VideoAsync(Guid id)
    {
        await using var session = Store.QuerySession();
        return await session.LoadAsync<VideoDetails>(id) ?? throw new InvalidOperationException($"No video {id}.");
    }

    /// <summary>The local-disk path of a locator.</summary>
    public string LocalPath(string locator) => Path.Combine(LocalStorageRoot, locator.Replace('/', Path.DirectorySeparatorChar));

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

    /// <summary>Fake Cloudinary URLs carry a random port and an upload-time version: neither belongs in a snapshot.</summary>
    public static string ScrubUrls(string json) => Version().Replace(Port().Replace(json, "http://fake-cloudinary/"), "/v<version>/");

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/")]
    private static partial Regex Port();

    [GeneratedRegex(@"/v\d+/")]
    private static partial Regex Version();
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
