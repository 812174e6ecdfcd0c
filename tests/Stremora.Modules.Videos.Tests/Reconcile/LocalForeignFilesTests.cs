using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Videos.Reconcile;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.Reconcile;

/// <summary>The local-disk root is not the service's whole: files that do not carry one of its keys are never orphans.</summary>
[Collection(VideosApiGroup.Name)]
public sealed class LocalForeignFilesTests(VideosApiFactory api)
{
    [Fact]
    public async Task Reconciliation_of_the_local_root_deletes_an_old_orphan_of_ours_and_keeps_everything_else()
    {
        var orphan = $"videos/{Guid.CreateVersion7():N}/video.mp4";
        string[] foreign = ["notes.txt", "backups/db.dump", "videos/holiday/video.mp4"];
        foreach (var relative in foreign.Append(orphan))
        {
            var path = Path.Combine(api.LocalStorageRoot, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, Samples.Mp4(1024, seed: 134));
            // Older than the default grace period: the test ages its files instead of shortening the grace.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddDays(-3));
        }

        try
        {
            using var scope = api.Services.CreateScope();
            var report = await scope.ServiceProvider.GetRequiredService<StorageReconcileJob>().RunAsync(null, CancellationToken.None);

            Assert.Contains(report.OrphansDeleted, o => o.Provider == "local" && o.Locator == orphan);
            Assert.DoesNotContain(orphan, api.StoredFiles());
            Assert.All(foreign, relative => Assert.Contains(relative.Replace('/', Path.DirectorySeparatorChar), api.StoredFiles()));
        }
        finally
        {
            foreach (var relative in foreign)
            {
                File.Delete(Path.Combine(api.LocalStorageRoot, relative));
            }

            Directory.Delete(Path.Combine(api.LocalStorageRoot, "backups"));
            Directory.Delete(Path.Combine(api.LocalStorageRoot, "videos", "holiday"));
        }
    }
}
