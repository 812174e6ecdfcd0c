using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Local;

/// <summary>
/// Files on this machine's disk under <c>Storage:Local:Root</c>, served back at <c>/media/{locator}</c>.
/// For development and single-machine use: it is the chain's provider only when no cloud is configured.
/// </summary>
internal sealed partial class LocalDiskProvider(IOptions<StorageOptions> options) : IStorageProvider
{
    public const string ProviderName = "local";
    public const string UrlPrefix = "/media/";

    private const long CopyChunkBytes = 1024 * 1024;

    public string Name => ProviderName;

    public bool IsConfigured => true;

    public bool IsFallback => true;

    public string Root { get; } = options.Value.Local.Root
        ?? throw new InvalidOperationException("Storage:Local:Root was not resolved at start-up.");

    public async Task<ProviderStoredFile> UploadAsync(ProviderUpload upload, ISpooledSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(source);
        var locator = LocalPaths.LocatorFor(upload.Key, upload.ContentType);
        if (!LocalPaths.TryResolve(Root, locator, out var final))
        {
            throw new StorageProviderException(Name, "the key does not make a valid local path", isTransient: false);
        }

        // Written under a temporary name and renamed when complete: a reader never sees half a file.
        var temp = LocalPaths.PartialPathFor(final);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81_920, FileOptions.Asynchronous))
            {
                await foreach (var chunk in source.ChunksAsync(CopyChunkBytes, cancellationToken))
                {
                    await using var range = source.OpenRange(chunk.Offset, chunk.Length);
                    await range.CopyToAsync(output, cancellationToken);
                }
            }

            File.Move(temp, final, overwrite: true);
            return new ProviderStoredFile(locator, UrlFor(locator), new FileInfo(final).Length);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is IOException or UnauthorizedAccessException)
            {
                throw new StorageProviderException(Name, "writing to the local disk failed", isTransient: true, e);
            }

            throw;
        }
    }

    public Task DeleteAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!LocalPaths.TryResolve(Root, file.Locator, out var path))
        {
            throw new StorageProviderException(Name, "not a local storage locator", isTransient: false);
        }

        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: deletes are idempotent.
        }
        catch (IOException e)
        {
            throw new StorageProviderException(Name, "deleting from the local disk failed", isTransient: true, e);
        }

        RemoveEmptyParents(path);
        return Task.CompletedTask;
    }

    public Task<string> GetPlaybackUrlAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Task.FromResult(UrlFor(file.Locator));
    }

    private static string UrlFor(string locator) =>
        UrlPrefix + string.Join('/', locator.Split('/').Select(Uri.EscapeDataString));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort; a stray .partial file is never served.
        }
    }

    /// <summary>Keeps the tree tidy (one folder per video); stops at the root or the first non-empty folder.</summary>
    private void RemoveEmptyParents(string path)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Root));
        var directory = Path.GetDirectoryName(path);
        while (directory is not null && directory.Length > root.Length && directory.StartsWith(root, StringComparison.Ordinal))
        {
            try
            {
                if (!Directory.Exists(directory) || Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    return;
                }

                Directory.Delete(directory);
            }
            catch (IOException)
            {
                return;
            }

            directory = Path.GetDirectoryName(directory);
        }
    }
}
