using System.Net;
using System.Text.Json;
using Stremora.ReliabilityTests.Infrastructure;

namespace Stremora.ReliabilityTests.TwoInstances;

/// <summary>A second API instance on the first one's database and media folder (as two machines behind a load balancer would share them).</summary>
public sealed class SecondInstanceFactory : ReliabilityApiFactory
{
    public SecondInstanceFactory(ReliabilityApiFactory first)
    {
        With("ConnectionStrings:Postgres", first.ConnectionString);
        With("Storage:Local:Root", first.LocalStorageRoot);
    }
}

public sealed class TwoInstances : IAsyncLifetime
{
    public ReliabilityApiFactory First { get; } = new();

    public SecondInstanceFactory Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await First.InitializeAsync();
        // One after the other: Hangfire's JobStorage is process-wide and both point it at the same database anyway.
        using (First.CreateClient())
        {
        }

        Second = new SecondInstanceFactory(First);
        await Second.InitializeAsync();
        using (Second.CreateClient())
        {
        }
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }
}

/// <summary>
/// Two instances on one PostgreSQL: uploads and deletes spread over both agree on one catalog; concurrent
/// deletes of one video through both give exactly one 204 and 404s for the rest; every cleanup runs.
/// </summary>
public sealed class TwoInstancesTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    private const string Owner = "two-instances-owner";

    [Fact]
    public async Task Uploads_and_deletes_spread_over_both_instances_share_one_catalog_and_every_cleanup_runs()
    {
        var hosts = new ReliabilityApiFactory[] { instances.First, instances.Second };
        var ids = new List<(Guid Id, string Sha)>();
        for (var i = 0; i < 6; i++)
        {
            var created = await hosts[i % 2].UploadAsync(Owner, $"Spread {i}", Samples.Mp4(16 * 1024, seed: (byte)(40 + i)));
            ids.Add((created.GetProperty("id").GetGuid(), created.GetProperty("video").GetProperty("sha256").GetString()!));
        }

        // Each instance serves what the other stored, identically.
        foreach (var host in hosts)
        {
            using var client = host.CreateClient();
            var list = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/videos?ownerId={Owner}", UriKind.Relative))).RootElement;
            Assert.Equal(6, list.GetProperty("total").GetInt32());
            foreach (var (id, sha) in ids)
            {
                var video = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/videos/{id}", UriKind.Relative))).RootElement;
                Assert.Equal(sha, video.GetProperty("video").GetProperty("sha256").GetString());
            }
        }

        // Deleted through the instance that did not store it.
        for (var i = 0; i < 3; i++)
        {
            using var client = hosts[(i + 1) % 2].ClientFor(Owner);
            using var deleted = await client.DeleteAsync(new Uri($"/api/videos/{ids[i].Id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        foreach (var host in hosts)
        {
            using var client = host.CreateClient();
            var list = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/videos?ownerId={Owner}", UriKind.Relative))).RootElement;
            Assert.Equal(3, list.GetProperty("total").GetInt32());
        }

        await Eventually.UntilAsync(
            () => Task.FromResult(ids.Take(3).All(v => !instances.First.StoredFiles().Any(f => f.Contains(v.Id.ToString("N"), StringComparison.Ordinal)))),
            "the deleted videos' files are removed by a cleanup job on one of the instances");
        Assert.All(ids.Skip(3), v => Assert.Contains(instances.First.StoredFiles(), f => f.Contains(v.Id.ToString("N"), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Concurrent_deletes_of_one_video_through_both_instances_give_exactly_one_204()
    {
        for (var round = 0; round < 3; round++)
        {
            var id = (await instances.First.UploadAsync(Owner, $"Raced {round}")).GetProperty("id").GetGuid();
            var clients = Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? (ReliabilityApiFactory)instances.First : instances.Second).ClientFor(Owner)).ToList();
            using var start = new SemaphoreSlim(0);
            var deletes = clients.Select(async client =>
            {
                await start.WaitAsync();
                using var response = await client.DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
                return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, Body: await response.Content.ReadAsStringAsync());
            }).ToList();
            start.Release(clients.Count);
            var results = await Task.WhenAll(deletes);
            clients.ForEach(c => c.Dispose());

            Assert.Single(results, r => r.StatusCode == HttpStatusCode.NoContent);
            foreach (var loser in results.Where(r => r.StatusCode != HttpStatusCode.NoContent))
            {
                ProblemAssert.IsProblem(HttpStatusCode.NotFound, loser.MediaType, loser.Body, $"a losing concurrent delete (round {round})");
                Assert.True(loser.StatusCode == HttpStatusCode.NotFound, $"round {round}: {(int)loser.StatusCode} {loser.Body}");
            }

            using var owner = instances.Second.ClientFor(Owner);
            var history = JsonDocument.Parse(await owner.GetStringAsync(new Uri($"/api/videos/{id}/history", UriKind.Relative))).RootElement;
            Assert.Single(history.EnumerateArray(), e => e.GetProperty("type").GetString() == "VideoDeleted");
            await Eventually.UntilAsync(
                () => Task.FromResult(!instances.First.StoredFiles().Any(f => f.Contains(id.ToString("N"), StringComparison.Ordinal))),
                $"the raced video {id}'s file is removed exactly by its cleanup");
        }
    }
}
