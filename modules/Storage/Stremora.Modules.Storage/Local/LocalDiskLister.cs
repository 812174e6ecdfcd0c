using System.Runtime.CompilerServices;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.Maintenance;

namespace Stremora.Modules.Storage.Local;

/// <summary>
/// Lists the local provider's root (its whole tree is the service's); files still being written (.partial) are
/// not files yet. Copies read straight from the disk.
/// </summary>
internal sealed class LocalDiskLister(LocalDiskProvider provider) : IStoredFileLister, IStoredFileOpener
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".png", ".webp", ".gif", ".avif" };

    public string Provider => LocalDiskProvider.ProviderName;

    public async IAsyncEnumerable<ListedFile> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Directory.Exists(provider.Root))
        {
            yield break;
        }

        foreach (var path in Directory.EnumerateFiles(provider.Root, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var locator = Path.GetRelativePath(provider.Root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!LocalPaths.TryResolve(provider.Root, locator, out _))
            {
                continue;
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                continue;
            }

            var kind = ImageExtensions.Contains(info.Extension) ? StoredFileKind.Thumbnail : StoredFileKind.Video;
            yield return new ListedFile(new StoredFile(Provider, locator, kind, Bytes: info.Length), new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
        }

        await Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Task.FromResult(LocalPaths.TryResolve(provider.Root, file.Locator, out var path) && File.Exists(path));
    }

    public Stream OpenRead(StoredFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!LocalPaths.TryResolve(provider.Root, file.Locator, out var path))
        {
            throw new StorageProviderException(Provider, "not a local storage locator", isTransient: false);
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81_920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StorageProviderException(Provider, "the stored file is missing", isTransient: false, e);
        }
    }
}
