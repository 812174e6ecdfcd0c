using Marten;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images;

/// <summary>
/// Tells reconciliation which listed files under <c>images/</c> are still this module's: a served image's file, or one
/// whose removal job has not finished. Any other image key (deleted and cleaned up, never recorded) is an orphan.
/// </summary>
internal sealed class ImageFileClaims(IDocumentStore store) : IStoredFileClaims
{
    public bool Recognises(string locator) => ImageStorageKey.ImageIdIn(locator) is not null;

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
}
