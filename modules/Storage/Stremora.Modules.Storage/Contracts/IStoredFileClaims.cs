namespace Stremora.Modules.Storage.Contracts;

/// <summary>
/// How a module that stores files under keys of its own tells reconciliation which listed files are still its
/// files. Reconciliation owns the listing and the deletion of orphans; each module that registers one of these
/// only answers "is this my key" and "which of these do I still hold", so no module needs to know another's keys.
/// The same way, it hands reconciliation the files it serves, and records what reconciliation found about them
/// (missing at their provider, or there again). "Is this my key" (<see cref="ILiveFiles.Recognises"/>) is the same
/// question the media route asks, so a module answers it once.
/// </summary>
public interface IStoredFileClaims : ILiveFiles
{
    /// <summary>
    /// Of <paramref name="locators"/> (all recognised, all on <paramref name="provider"/>), those the module still
    /// claims: served by a live record, or waiting for a removal job. The rest are orphans.
    /// </summary>
    Task<IReadOnlySet<string>> ClaimedAsync(string provider, IReadOnlyList<string> locators, CancellationToken cancellationToken);

    /// <summary>Every file the module serves from <paramref name="provider"/>: reconciliation checks each against the listing.</summary>
    IAsyncEnumerable<ServedFile> ServedAsync(string provider, CancellationToken cancellationToken);

    /// <summary>
    /// Reconciliation found <paramref name="file"/> missing at its provider (<paramref name="missing"/> true) or there
    /// again (false). Recorded only on a change, at the version <paramref name="file"/> was read at.
    /// </summary>
    /// <returns>False when nothing was recorded: no change, or the record moved on meanwhile (the next run looks again).</returns>
    Task<bool> RecordFindingAsync(ServedFile file, bool missing, CancellationToken cancellationToken);
}

/// <summary>A file a module serves, as reconciliation checks it.</summary>
/// <param name="Id">The id of the record (an image, ...) that serves it, for reports.</param>
/// <param name="Name">What it is, in reports (<c>image</c>).</param>
/// <param name="Version">The record's version it was read at.</param>
/// <param name="MarkedMissing">The last finding recorded: missing at its provider.</param>
public sealed record ServedFile(Guid Id, string Name, long Version, StoredFile File, bool MarkedMissing);
