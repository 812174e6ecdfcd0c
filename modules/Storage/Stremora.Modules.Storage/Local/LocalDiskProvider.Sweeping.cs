using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Local;

/// <summary>
/// The abandoned-upload sweep: <c>.partial</c> files a crash left mid-write (the local disk's unfinished uploads, as
/// unfinished multipart uploads are S3's). Only files untouched for longer than the sweep's threshold go, so a file
/// another live instance is still writing stays.
/// </summary>
internal sealed partial class LocalDiskProvider : IAbandonedUploadSweeper
{
    /// <summary>
    /// The youngest <c>.partial</c> file the sweep removes, whatever threshold it is given: a live write touches its file
    /// every few minutes at worst (an attempt idle for its provider's idle timeout is cut off; the slowest body Kestrel
    /// accepts fills the 80 KiB write buffer in under 6 minutes).
    /// </summary>
    public static readonly TimeSpan MinimumPartialAge = TimeSpan.FromHours(1);

    public Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, Func<string, bool> isOurs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(isOurs);
        if (!Directory.Exists(Root))
        {
            return Task.FromResult(0);
        }

        var cutoff = DateTime.UtcNow - (olderThan > MinimumPartialAge ? olderThan : MinimumPartialAge);
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(Root, "*" + LocalPaths.PartialSuffix, SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (LocalPaths.PartialLocator(Root, path) is not { } locator || !isOurs(locator))
            {
                continue;
            }

            var file = new FileInfo(path);
            if (!file.Exists || file.LastWriteTimeUtc >= cutoff)
            {
                continue;
            }

            try
            {
                File.Delete(path);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to delete after all: the next sweep looks again.
                continue;
            }

            RemoveEmptyParents(path);
        }

        return Task.FromResult(removed);
    }
}
