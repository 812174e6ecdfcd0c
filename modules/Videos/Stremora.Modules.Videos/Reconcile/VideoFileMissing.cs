using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Reconcile;

/// <summary>Reconciliation found that the provider no longer holds a file the catalog says it does.</summary>
internal sealed record VideoFileMissing(StoredFileKind File, string Provider, string Locator, DateTimeOffset DetectedAt);
