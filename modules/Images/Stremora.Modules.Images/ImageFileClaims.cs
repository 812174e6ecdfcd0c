using System.Runtime.CompilerServices;
using Marten;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images;

/// <summary>
/// Tells reconciliation which listed files under <c>images/</c> are still this module's: a served image's file, or one
/// whose removal job has not finished. Any other image key (deleted and cleaned up, never recorded) is an orphan.
/// The media route asks it too: only a ready image's file is served, even while a deleted one's is still on disk.
/// </summary>
internal sealed class ImageFileClaims(IDocumentStore store, TimeProvider clock) : IStoredFileClaims
{
    private const int PageSize = 200;

    public bool Recognises(string locator) => ImageStorageKey.ImageIdIn(locator) is not null;

    public async Task<bool> ServesAsync(string provider, string locator, CancellationToken cancellationToken)
    {
        if (ImageStorageKey.ImageIdIn(locator) is not { } id)
        {
            return false;
        }

        await using var query = store.QuerySession();
        var image = await query.LoadAsync<ImageDetails>(id, cancellationToken);
        return image is { Status: ImageStatuses.Ready } && image.File.IsAt(provider, locator);
    }

    public async Task<IReadOnlySet<string>> ClaimedAsync(string provider, IReadOnlyList<string> locators, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locators);
        var ids = locators.Select(ImageStorageKey.ImageIdIn).OfType<Guid>().Distinct().ToArray();
        await using var query = store.QuerySession();
        var images = (await query.LoadManyAsync<ImageDetails>(cancellationToken, ids)).ToDictionary(i => i.Id);
        return locators
            .Where(l => ImageStorageKey.ImageIdIn(l) is { } id && images.TryGetValue(id, out var image) && image.Claims(provider, l))
            .ToHashSet(StringComparer.Ordinal);
    }

    public async IAsyncEnumerable<ServedFile> ServedAsync(string provider, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Pages by creation time, so a long run never holds one query open.
        var after = DateTimeOffset.MinValue;
        while (true)
        {
            IReadOnlyList<ImageDetails> page;
            await using (var query = store.QuerySession())
            {
                page = await query.Query<ImageDetails>()
                    .Where(i => i.Status == ImageStatuses.Ready && i.File.Provider == provider && i.CreatedAt > after)
                    .OrderBy(i => i.CreatedAt)
                    .Take(PageSize)
                    .ToListAsync(cancellationToken);
            }

            foreach (var image in page)
            {
                after = image.CreatedAt;
                yield return new ServedFile(image.Id, "image", image.Version, image.File, image.FileMissing);
            }

            if (page.Count < PageSize)
            {
                yield break;
            }
        }
    }

    public async Task<bool> RecordFindingAsync(ServedFile file, bool missing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        await using var session = store.LightweightSession();
        var image = await session.LoadAsync<ImageDetails>(file.Id, cancellationToken);
        if (image is null || image.Version != file.Version || !image.File.IsAt(file.File.Provider, file.File.Locator)
            || Decide.Finding(image, missing, clock.GetUtcNow()) is not { } finding)
        {
            return false;
        }

        return await session.TryAppendAsync(image.Id, image.Version, [finding], cancellationToken);
    }
}
