using Npgsql;
using Stremora.TestKit;
using Stremora.TestKit.Host;
using Stremora.TestKit.Postgres;

namespace Stremora.OperationsTests.Startup;

/// <summary>
/// A test host in a process of its own runs no recurring job on the wall clock's schedule either: the settings a test
/// gives it are all it gets, and a back-fill or sweep firing at 04:45 or every 10 minutes in the middle of a test
/// would act on that test's videos.
/// </summary>
public sealed class ProcessHostScheduleTests
{
    private static readonly string[] RecurringJobs =
        ["videos-sweep-abandoned-uploads", "videos-sweep-expired-uploads", "storage-rebalance", "storage-reconcile", "videos-media-backfill"];

    [Fact]
    public async Task Every_recurring_job_of_a_process_host_is_registered_but_never_fires_on_its_own()
    {
        var database = await PostgresServer.Instance.CreateDatabaseAsync("stremora_schedule");
        await using var api = await ApiProcess.StartAsync(new ApiProcessOptions
        {
            Settings = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["ConnectionStrings:Postgres"] = database,
                ["Auth:SigningKey"] = TestTokens.SigningKey,
                ["Storage:Local:Root"] = Path.Combine(Path.GetTempPath(), $"stremora-schedule-{Guid.NewGuid():N}"),
            },
        });

        var crons = new Dictionary<string, string>(StringComparer.Ordinal);
        await Eventually.UntilAsync(
            async () =>
            {
                crons = await CronsAsync(database);
                return RecurringJobs.All(crons.ContainsKey);
            },
            "every recurring job is registered");

        Assert.All(RecurringJobs, id => Assert.Equal((id, TestHostDefaults.NeverCron), (id, crons[id])));
    }

    /// <summary>Hangfire's own record of each recurring job: its hash <c>recurring-job:{id}</c>, field <c>Cron</c>.</summary>
    private static async Task<Dictionary<string, string>> CronsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select key, value from hangfire.hash where key like 'recurring-job:%' and field = 'Cron'", connection);
        var crons = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                crons[reader.GetString(0)["recurring-job:".Length..]] = reader.GetString(1);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Hangfire's schema is not there yet.
        }

        return crons;
    }
}
