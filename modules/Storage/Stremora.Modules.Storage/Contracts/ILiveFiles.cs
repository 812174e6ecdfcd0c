namespace Stremora.Modules.Storage.Contracts;

/// <summary>
/// How storage's own file routes (the local-disk <c>/media/...</c>) ask whether a file may still be served. A module that
/// stores files under keys of its own answers for those keys from its catalog: storage serves a file only when a module
/// that recognises its locator says it is live, so a deleted, failed or replaced file is gone at once, before the job
/// that removes it from the disk has run. Storage itself never knows any module's keys.
/// </summary>
public interface ILiveFiles
{
    /// <summary>True when <paramref name="locator"/> is one of this module's keys, whatever its state.</summary>
    bool Recognises(string locator);

    /// <summary>
    /// True when the module's catalog serves <paramref name="locator"/> on <paramref name="provider"/> now: a live record's
    /// current file. Cheap (one load by the id in the key), for a route that answers every range request of a player.
    /// </summary>
    Task<bool> ServesAsync(string provider, string locator, CancellationToken cancellationToken);
}
