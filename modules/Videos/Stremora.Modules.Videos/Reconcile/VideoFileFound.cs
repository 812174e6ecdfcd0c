using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Reconcile;

/// <summary>
/// Reconciliation found a file marked missing (<see cref="VideoFileMissing"/>) on its provider again, under the
/// same locator: a listing that had been incomplete, or an object an operator restored.
/// </summary>
internal sealed record VideoFileFound(StoredFileKind File, string Provider, string Locator, DateTimeOffset DetectedAt);
