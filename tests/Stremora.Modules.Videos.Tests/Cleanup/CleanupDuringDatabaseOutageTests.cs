using System.Net;
using Npgsql;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit;
using Stremora.TestKit.Faults;

namespace Stremora.Modules.Videos.Tests.Cleanup;

/// <summary>A removal that meets a PostgreSQL outage is not lost: once the database is back, the file goes.</summary>
[Collection(SoloHostGroup.Name)]
public sealed class CleanupDuringDatabaseOutageTests
{
    [Fact]
    public async Task A_cleanup_that_meets_a_database_outage_removes_the_file_once_postgresql_is_back()
    {
        var api = new VideosApiFactory();
        await api.InitializeAsync();
        var database = new NpgsqlConnectionStringBuilder(api.ConnectionString);
        await using var proxy = new TcpFaultProxy(database.Host!, database.Port);
        database.Port = proxy.Port;
        api.With("ConnectionStrings:Postgres", database.ConnectionString)
            // A job fetched before the outage and never acknowledged comes back soon rather than in five minutes.
            .With("Hangfire:InvisibilityTimeout", "00:00:15");
        try
        {
            using var owner = api.ClientFor("outage-owner");
            var id = (await owner.UploadValidAsync("Removed through an outage")).GetProperty("id").GetGuid();
            bool Stored() => api.StoredFiles().Any(f => f.Contains(id.ToString("N"), StringComparison.Ordinal));
            Assert.True(Stored());
            var refusedBefore = proxy.Refused;
            // The provider refuses the removal just as PostgreSQL stops answering: the job can record neither the failure nor its retry.
            var failed = api.Deletes.FailNext(id, proxy.GoDown);

            using var deleted = await owner.DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            await failed.WaitAsync(TimeSpan.FromSeconds(90));
            await Eventually.UntilAsync(() => Task.FromResult(proxy.Refused > refusedBefore), "something met the outage");
            proxy.ComeBack();

            await Eventually.UntilAsync(() => Task.FromResult(!Stored()), "the deleted video's file is removed after the outage", TimeSpan.FromMinutes(3));
        }
        finally
        {
            proxy.ComeBack();
            await api.DisposeAsync();
        }
    }
}
