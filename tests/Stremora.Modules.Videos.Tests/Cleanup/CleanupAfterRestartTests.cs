using System.Net;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.Cleanup;

/// <summary>
/// The crash the outbox exists for: the delete commits, the process dies before anything turns the
/// cleanup events into jobs, and a fresh process on the same database must still remove the files.
/// </summary>
[Collection(SoloHostGroup.Name)]
public sealed class CleanupAfterRestartTests
{
    [Fact]
    public async Task Cleanup_scheduled_by_a_process_that_died_is_done_by_the_next_one()
    {
        var first = new VideosApiFactory();
        await first.InitializeAsync();
        try
        {
            using var client = first.ClientFor("restart-owner");
            var id = (await client.UploadValidAsync("Deleted just before the crash")).GetProperty("id").GetGuid();
            // The daemon stops before the deletion: nothing in this process will see the cleanup events.
            await first.Services.GetRequiredService<IProjectionCoordinator>().PauseAsync();
            using var deleted = await client.DeleteAsync(new Uri($"/api/videos/{id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            Assert.Contains(first.StoredFiles(), f => f.Contains(id.ToString("N"), StringComparison.Ordinal));

            // "Crash": the host goes away (its work directory, holding the stored files, stays).
            await ((IAsyncDisposable)first).DisposeAsync();

            var second = new VideosApiFactory()
                .With("ConnectionStrings:Postgres", first.ConnectionString)
                .With("Storage:Local:Root", first.LocalStorageRoot);
            await ((IAsyncLifetime)second).InitializeAsync();
            try
            {
                _ = second.Services; // start the host: its daemon resumes from the position stored in PostgreSQL
                await Eventually.UntilAsync(
                    () => Task.FromResult(!first.StoredFiles().Any(f => f.Contains(id.ToString("N"), StringComparison.Ordinal))),
                    "the restarted process removed the deleted video's file");
            }
            finally
            {
                await ((IAsyncLifetime)second).DisposeAsync();
            }
        }
        finally
        {
            if (Directory.Exists(first.WorkDirectory))
            {
                Directory.Delete(first.WorkDirectory, recursive: true);
            }
        }
    }
}

/// <summary>
/// Tests that stop and start hosts of their own run alone, after the parallel ones: background
/// libraries keep some process-wide state, and a host torn down mid-run must not disturb the shared one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoloHostGroup
{
    public const string Name = "solo-hosts";
}
