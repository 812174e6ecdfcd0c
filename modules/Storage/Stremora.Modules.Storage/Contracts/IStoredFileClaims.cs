namespace Stremora.Modules.Storage.Contracts;

/// <summary>
/// How a module that stores files under keys of its own tells reconciliation which listed files are still its
/// files. Reconciliation owns the listing and the deletion of orphans; each module that registers one of these
/// only answers "is this my key" and "which of these do I still hold", so no module needs to know another's keys.
/// </summary>
public interface IStoredFileClaims
{
    /// <summary>True when <paramref name="locator"/> is one of this module's keys, whatever its state.</summary>
    bool Recognises(string locator);

    /// <summary>
    /// Of <paramref name="locators"/> (all recognised, all on <paramref name="provider"/>), those the module still
    /// claims: served by a live record, or waiting for a removal job. The rest are orphans.
    /// </summary>
    Task<IReadOnlySet<string>> ClaimedAsync(string provider, IReadOnlyList<string> locators, CancellationToken cancellationToken);
}
