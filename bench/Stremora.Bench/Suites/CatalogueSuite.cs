using System.Text.Json;
using Npgsql;
using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;

namespace Stremora.Bench.Suites;

/// <summary>
/// 7. The catalogue under load: search (<c>?q=</c>), the first page of the list and a page after a cursor, over
/// many seeded videos, with wrk at the reads' connection count, against the bare Npgsql read of one row measured
/// in the same run (the reads suite's baseline): the ratios say what full-text search, keyset paging and the
/// total count cost over the cheapest read PostgreSQL can answer.
/// </summary>
internal static class CatalogueSuite
{
    /// <summary>One video in this many has it in its description: the search finds a hundred of 100 000.</summary>
    private const int RareWordEvery = 1000;
    private const string RareWord = "volcano";

    /// <summary>A list answer that counted every matching video for its total took seconds at 100 000 on two shared cores: a figure, not an error.</summary>
    private const int SlowAnswerSeconds = 30;

    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var s3 = await context.S3Async();
        var (host, baseAddress) = await ReadsHost.StartAsync(context);
        await using var _ = host;
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };

        // One real upload gives the document its real shape (and a real file to sign URLs for); the rest are copies of it.
        var template = await UploadClient.UploadAsync(http, Stremora.TestKit.Host.TestTokens.For("bench-catalogue"), context.Payloads.Get(Payloads.MiB), cancellationToken);
        var seeding = System.Diagnostics.Stopwatch.StartNew();
        await SeedAsync(host.ConnectionString, template.Id, options.CatalogueVideos, cancellationToken);
        Console.WriteLine($"    seeded {options.CatalogueVideos} videos in {seeding.Elapsed.TotalSeconds:0.0} s");

        var search = new Uri(baseAddress, $"api/videos?q={RareWord}&pageSize=20");
        var list = new Uri(baseAddress, "api/videos?pageSize=20");
        var cursor = await NextCursorAsync(http, list, cancellationToken);
        var page = new Uri(baseAddress, $"api/videos?pageSize=20&cursor={Uri.EscapeDataString(cursor)}");
        var baseline = ReadsHost.BaselineUrl(baseAddress, template.Id);
        var urls = new[] { baseline, search, list, page };
        await ReadsHost.EnsureOkAsync(http, urls, cancellationToken);

        foreach (var url in urls)
        {
            await ReadsSuite.WrkAsync(url, options.ReadConnections, 3, cancellationToken, SlowAnswerSeconds);
        }

        var results = urls.ToDictionary(u => u, _ => new List<WrkResult>());
        for (var run = 0; run < options.Runs; run++)
        {
            // Each run starts with another of the four, so none always follows the same one.
            foreach (var url in urls.Skip(run % urls.Length).Concat(urls.Take(run % urls.Length)))
            {
                results[url].Add(await ReadsSuite.WrkAsync(url, options.ReadConnections, options.ReadSeconds, cancellationToken, SlowAnswerSeconds));
            }

            Console.WriteLine(
                $"    catalogue run {run + 1}/{options.Runs}: p50 search {results[search][^1].P50Ms:0.00} ms, list {results[list][^1].P50Ms:0.00} ms, "
                + $"cursor page {results[page][^1].P50Ms:0.00} ms vs baseline {results[baseline][^1].P50Ms:0.00} ms");
        }

        await s3.DeleteAsync(template.Locator, cancellationToken);
        var over = $"over {options.CatalogueVideos} videos, {options.ReadConnections} connections, wrk {options.ReadSeconds} s";
        foreach (var (id, name, url) in new[] { ("search", $"GET /api/videos?q={RareWord} ({options.CatalogueVideos / RareWordEvery} matches)", search), ("list", "GET /api/videos?pageSize=20", list), ("cursor", "GET /api/videos?pageSize=20&cursor=… (second page)", page) })
        {
            foreach (var (figure, of) in new (string Figure, Func<WrkResult, double> Of)[] { ("p50", r => r.P50Ms), ("p99", r => r.P99Ms) })
            {
                context.Report.Add(BenchRow.Compare(
                    $"catalogue.{id}.{figure}",
                    "7",
                    $"{name} {figure} latency {over} (ms)",
                    "ms",
                    [.. results[url].Select(of)],
                    $"{figure} of the bare Npgsql read of one row, same run",
                    [.. results[baseline].Select(of)],
                    null,
                    null));
            }
        }
    }

    /// <summary>Copies the template's document <paramref name="count"/> times under new ids, titles and descriptions, then VACUUM ANALYZE.</summary>
    private static async Task SeedAsync(string connectionString, Guid templateId, int count, CancellationToken cancellationToken)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        var columns = new List<string>();
        await using (var read = db.CreateCommand("select column_name from information_schema.columns where table_schema = 'stremora' and table_name = 'mt_doc_videodetails' order by ordinal_position"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                columns.Add(reader.GetString(0));
            }
        }

        var values = columns.Select(c => c switch
        {
            "id" => "g.id",
            "data" => "jsonb_set(jsonb_set(jsonb_set(t.data, '{id}', to_jsonb(g.id::text)), '{title}', to_jsonb('Seeded clip ' || g.n)), "
                + $"'{{description}}', to_jsonb('Clip number ' || g.n || case when g.n % {RareWordEvery} = 0 then ' of a {RareWord} at dawn' else ' of the harbour at dusk' end))",
            _ => "t." + c,
        });
        var sql = $"""
            insert into stremora.mt_doc_videodetails ({string.Join(", ", columns)})
            select {string.Join(", ", values)}
            from (select gen_random_uuid() as id, n from generate_series(1, $2) as n) g
            cross join (select * from stremora.mt_doc_videodetails where id = $1) t
            """;
        await using (var insert = db.CreateCommand(sql))
        {
            insert.CommandTimeout = 600;
            insert.Parameters.Add(new NpgsqlParameter { Value = templateId });
            insert.Parameters.Add(new NpgsqlParameter { Value = count });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        // As autovacuum would soon after such an insert: statistics, and the visibility map index-only counts rely on.
        await using var analyze = db.CreateCommand("vacuum analyze stremora.mt_doc_videodetails");
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string> NextCursorAsync(HttpClient http, Uri firstPage, CancellationToken cancellationToken)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync(firstPage, cancellationToken));
        return json.RootElement.GetProperty("nextCursor").GetString()
            ?? throw new InvalidOperationException("The first page of the catalogue has no nextCursor: the seeding did not work.");
    }
}
