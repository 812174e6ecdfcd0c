using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;
using Stremora.OperationsTests.Infrastructure;
using Stremora.TestKit;
using Stremora.TestKit.Host;
using Stremora.TestKit.Postgres;
using Stremora.TestKit.Streams;
using Xunit.Abstractions;

namespace Stremora.OperationsTests.Cluster;

/// <summary>
/// Three API processes on one PostgreSQL and one local-disk root behind a real nginx. Uploads, reads, lists and
/// deletes run through nginx while one instance is killed with SIGKILL and later restarted on its port.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Instances = 3;
    private const int OperationCount = 60;
    private const int KillAfter = 15;
    private const int RestartAfter = 35;
    private const int MaxHeldUploads = 15;
    private const string Owner = "cluster-owner";

    private readonly string _media = Path.Combine(Path.GetTempPath(), $"stremora-cluster-{Guid.NewGuid():N}");
    private readonly string _logs = Path.Combine(Path.GetTempPath(), $"stremora-cluster-logs-{Guid.NewGuid():N}");
    private readonly ApiProcess?[] _apis = new ApiProcess?[Instances];
    private readonly int[] _ports = [.. Enumerable.Range(0, Instances).Select(_ => Loopback.FreePort())];
    private readonly string[] _spools = [.. Enumerable.Range(0, Instances).Select(_ => Path.Combine(Path.GetTempPath(), $"stremora-cluster-spool-{Guid.NewGuid():N}"))];
    private string _connectionString = null!;
    private NginxServer _nginx = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await PostgresServer.Instance.CreateDatabaseAsync("stremora_cluster");
        Directory.CreateDirectory(_media);
        // The first creates the schemas; the others then start side by side.
        _apis[0] = await ApiProcess.StartAsync(Options(0));
        var others = await Task.WhenAll(Enumerable.Range(1, Instances - 1).Select(i => ApiProcess.StartAsync(Options(i))));
        others.CopyTo(_apis, 1);
        _nginx = await NginxServer.StartAsync(_ports);
    }

    public async Task DisposeAsync()
    {
        await _nginx.DisposeAsync();
        foreach (var api in _apis.OfType<ApiProcess>())
        {
            await api.DisposeAsync();
        }

        Directory.Delete(_media, recursive: true);
        if (Directory.Exists(_logs))
        {
            Directory.Delete(_logs, recursive: true);
        }

        foreach (var spool in _spools.Where(Directory.Exists))
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    [Fact]
    public async Task Sixty_operations_through_nginx_survive_an_instance_killed_and_restarted()
    {
        using var http = new HttpClient { BaseAddress = _nginx.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(Owner));
        var client = new RetryingClient(http);
        var live = new ConcurrentQueue<Guid>();
        var kept = new ConcurrentQueue<Guid>();
        var deleted = new ConcurrentBag<Guid>();
        var completed = 0;
        var kills = 0;
        var held = 0;
        // The kill takes a while (it waits for an upload in flight): the restart waits for it, whatever the counts.
        var killed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarts = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, OperationCount), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            await RunOperationAsync(i, client, live, kept, deleted);
            var done = Interlocked.Increment(ref completed);
            // While the other operations are in flight: kill one instance in the middle of uploads, later bring it back on its port.
            if (done == KillAfter)
            {
                try
                {
                    (var victim, held) = await KillDuringUploadsAsync(client, live);
                    killed.SetResult(victim);
                    Interlocked.Increment(ref kills);
                }
                catch (Exception e)
                {
                    killed.SetException(e);
                    throw;
                }
            }
            else if (done == RestartAfter)
            {
                var victim = await killed.Task;
                await _apis[victim]!.DisposeAsync();
                _apis[victim] = await ApiProcess.StartAsync(Options(victim), CancellationToken.None);
                Interlocked.Increment(ref restarts);
            }
        });

        output.WriteLine(
            $"operations {client.Operations} ({OperationCount} mixed + {held} held uploads), kills {kills}, restarts {restarts}, first answers 502/503 {client.RetryableFailures}, "
            + $"retries after 502/503 {client.Retries}, waits for a lost upload's key {client.InProgressWaits}, unexpected answers {client.UnexpectedAnswers}, failed operations 0");
        Assert.Equal(OperationCount + held, client.Operations);
        Assert.True(client.RetryableFailures >= 1, "the kill cut at least one upload short (answered 502)");
        Assert.Equal((1, 1), (kills, restarts));
        Assert.Equal(0, client.UnexpectedAnswers);

        await Eventually.UntilAsync(
            async () => await CountAsync("select count(*) from stremora.mt_doc_videodetails where data->>'status' = 'uploading'") == 0,
            "no upload is left uploading (the sweep fails what a killed instance was receiving)",
            TimeSpan.FromSeconds(90));
        const string Pending = """
            select count(*) from stremora.mt_events s
            where s.type = 'stored_file_cleanup_scheduled'
              and not exists (select 1 from stremora.mt_events c where c.type = 'stored_file_cleaned_up'
                              and c.stream_id = s.stream_id and c.data->>'locator' = s.data->>'locator')
            """;
        try
        {
            await Eventually.UntilAsync(async () => await CountAsync(Pending) == 0, "every scheduled cleanup has run", TimeSpan.FromSeconds(90));
        }
        catch
        {
            await WriteWhyCleanupsArePendingAsync(Pending);
            throw;
        }

        Assert.Equal(0, await CountAsync("""
            select count(*) from (select 1 from stremora.mt_events where type = 'stored_file_cleaned_up'
                                  group by stream_id, data->>'locator' having count(*) > 1) twice
            """));
        Assert.NotEmpty(deleted);
        Assert.All(deleted, id => Assert.False(Directory.Exists(Path.Combine(_media, "videos", id.ToString("N"))) && Directory.EnumerateFiles(Path.Combine(_media, "videos", id.ToString("N"))).Any(), $"{id}'s files are still on disk"));
        Assert.All(live.Concat(kept), id => Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(_media, "videos", id.ToString("N")))));
    }

    /// <summary>
    /// Starts uploads whose bodies are held after their first bytes, a few more every two seconds until one of
    /// them is spooling on some instance (nginx spreads them, in no order the test can count on), kills that
    /// instance with SIGKILL, then lets the bodies go: the uploads it held answer 502 and are retried.
    /// </summary>
    /// <returns>The killed instance and how many held uploads were sent.</returns>
    private async Task<(int Killed, int Held)> KillDuringUploadsAsync(RetryingClient client, ConcurrentQueue<Guid> live)
    {
        var release = new TaskCompletionSource();
        var uploads = new List<Task>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var nextBatch = DateTime.UtcNow;
        // A mixed upload's spool file comes and goes within milliseconds: only one seen across polls for a second
        // is a held upload's, still in flight when the kill lands.
        var firstSeen = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        int victim;
        while ((victim = HeldSpoolOwner(firstSeen)) < 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"None of {uploads.Count} held uploads started spooling on any instance.");
            if (uploads.Count < MaxHeldUploads && DateTime.UtcNow >= nextBatch)
            {
                nextBatch = DateTime.UtcNow + TimeSpan.FromSeconds(2);
                uploads.AddRange(Enumerable.Range(uploads.Count, Instances).Select(n => HeldUploadAsync(client, live, n, release.Task)));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        await _apis[victim]!.KillAsync();
        release.SetResult();
        await Task.WhenAll(uploads);
        return (victim, uploads.Count);
    }

    private int HeldSpoolOwner(Dictionary<string, DateTime> firstSeen)
    {
        var now = DateTime.UtcNow;
        for (var instance = 0; instance < Instances; instance++)
        {
            if (!Directory.Exists(_spools[instance]))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(_spools[instance]))
            {
                firstSeen.TryAdd(file, now);
                if (now - firstSeen[file] >= TimeSpan.FromSeconds(1))
                {
                    return instance;
                }
            }
        }

        return -1;
    }

    private static async Task HeldUploadAsync(RetryingClient client, ConcurrentQueue<Guid> live, int n, Task release)
    {
        var key = Guid.NewGuid().ToString("N");
        var video = Samples.Mp4(512 * 1024, seed: (byte)(100 + n));
        var first = true;
        var body = await client.SendAsync(
            () =>
            {
                var form = new MultipartFormDataContent { { new StringContent($"Held upload {n}"), "title" } };
                // Only the first attempt is held: a retry sends its body at once.
                HttpContent part = first ? new HeldBodyContent(video, release) : new ByteArrayContent(video);
                first = false;
                part.Headers.ContentType = MediaTypeHeaderValue.Parse("video/mp4");
                form.Add(part, "video", "held.mp4");
                return new HttpRequestMessage(HttpMethod.Post, new Uri("api/videos", UriKind.Relative)) { Content = form, Headers = { { "Idempotency-Key", key } } };
            },
            [HttpStatusCode.Created, HttpStatusCode.OK]);
        live.Enqueue(JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid());
    }

    /// <summary>
    /// Every sixth operation is a delete (of a video uploaded earlier), the rest uploads, reads and lists. Reads take
    /// videos from <paramref name="kept"/>, which no delete takes: a read racing a delete of its video would rightly be 404.
    /// </summary>
    private static async Task RunOperationAsync(int i, RetryingClient client, ConcurrentQueue<Guid> live, ConcurrentQueue<Guid> kept, ConcurrentBag<Guid> deleted)
    {
        switch (i % 6)
        {
            case 0 or 3:
                var key = Guid.NewGuid().ToString("N");
                var video = Samples.Mp4(64 * 1024, seed: (byte)i);
                var body = await client.SendAsync(
                    () => new HttpRequestMessage(HttpMethod.Post, new Uri("api/videos", UriKind.Relative))
                    {
                        Content = Uploads.Form($"Cluster video {i}", video),
                        Headers = { { "Idempotency-Key", key } },
                    },
                    [HttpStatusCode.Created, HttpStatusCode.OK]);
                (i % 6 == 0 ? live : kept).Enqueue(JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid());
                break;
            case 1 or 4 when kept.TryPeek(out var id):
                await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri($"api/videos/{id}", UriKind.Relative)), [HttpStatusCode.OK]);
                break;
            case 5 when live.TryDequeue(out var doomed):
                await client.SendAsync(
                    () => new HttpRequestMessage(HttpMethod.Delete, new Uri($"api/videos/{doomed}", UriKind.Relative)),
                    [HttpStatusCode.NoContent],
                    HttpStatusCode.NotFound);
                deleted.Add(doomed);
                break;
            default:
                await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri($"api/videos?ownerId={Owner}&pageSize=10", UriKind.Relative)), [HttpStatusCode.OK]);
                break;
        }
    }

    /// <summary>What a timed-out wait for cleanups leaves in the test's output: the pending ones, their jobs, the daemon's progress and the instances' warnings.</summary>
    private async Task WriteWhyCleanupsArePendingAsync(string pending)
    {
        var where = pending[pending.IndexOf("from", StringComparison.Ordinal)..];
        await WriteRowsAsync("pending cleanups", $"select s.seq_id, s.stream_id, s.data->>'locator', s.timestamp {where}");
        await WriteRowsAsync("their jobs", $"""
            select j.id, j.statename, j.createdat, j.invocationdata::text from hangfire.job j
            where exists (select 1 {where} and j.invocationdata::text like '%' || (s.data->>'locator') || '%')
            """);
        await WriteRowsAsync("daemon progress", "select name, last_seq_id, last_updated from stremora.mt_event_progression");
        await WriteRowsAsync("highest event", "select max(seq_id) from stremora.mt_events");
        foreach (var log in Directory.EnumerateFiles(_logs))
        {
            var notable = File.ReadLines(log).Where(line => line.Contains("warn", StringComparison.OrdinalIgnoreCase) || line.Contains("fail", StringComparison.OrdinalIgnoreCase) || line.Contains("High water", StringComparison.OrdinalIgnoreCase));
            output.WriteLine($"--- {Path.GetFileName(log)}: warnings, failures, high water");
            foreach (var line in notable.TakeLast(80))
            {
                output.WriteLine(line);
            }
        }
    }

    private async Task WriteRowsAsync(string title, string sql)
    {
        output.WriteLine($"--- {title}");
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            output.WriteLine(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Each instance logs to its own file, appended to across a restart, for the failure report.</summary>
    private ApiProcessOptions Options(int instance) => new() { Name = $"instance-{instance}", LogDirectory = _logs, Settings = Settings(instance), Port = _ports[instance] };

    private Dictionary<string, string> Settings(int instance) => new(StringComparer.Ordinal)
    {
        ["ConnectionStrings:Postgres"] = _connectionString,
        // Each instance's own spool folder shows the test where an upload is in flight.
        ["Storage:SpoolDirectory"] = _spools[instance],
        ["Auth:SigningKey"] = TestTokens.SigningKey,
        ["Storage:Local:Root"] = _media,
        // What the killed instance was receiving is swept soon, and the job it was running is taken up again soon.
        ["Upload:AbandonedAfter"] = "00:00:15",
        ["Upload:SweepCron"] = "*/2 * * * * *",
        ["Hangfire:InvisibilityTimeout"] = "00:00:10",
        ["Cleanup:RetryDelaySeconds"] = "1",
        ["Cleanup:MaxRetryDelaySeconds"] = "2",
        // One owner holds up to MaxHeldUploads uploads open at once here; the per-user cap has tests of its own.
        ["Upload:MaxConcurrentPerUser"] = "100",
    };
}
