using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Cleanup;

/// <summary>
/// A stored file must go. Appending this event is the outbox: <see cref="CleanupOutbox"/> sees every
/// committed one and enqueues the job, so a crash right after the append loses nothing.
/// </summary>
internal sealed record StoredFileCleanupScheduled(StoredFileKind File, string Provider, string Locator, string? ProviderUrl, string Reason)
{
    public StoredFileRef ToRef() => new(Provider, Locator, File, ProviderUrl);
}

/// <summary>The provider no longer holds the file ("not found" counts as gone).</summary>
internal sealed record StoredFileCleanedUp(StoredFileKind File, string Provider, string Locator);

/// <summary>One delete attempt failed; another is scheduled unless <paramref name="WillRetry"/> is false.</summary>
internal sealed record StoredFileCleanupFailed(StoredFileKind File, string Provider, string Locator, int Attempt, string Error, bool WillRetry);
