using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.StorageMaintenance;

internal static class MaintenanceOutcomes
{
    public const string Completed = "completed";
    public const string PrimaryUnavailable = "primary unavailable";
    public const string Busy = "another storage maintenance job was running";
}

/// <summary>The last return-to-primary run (one document, replaced by each run): what the admin route and the dashboard show.</summary>
internal sealed record RebalanceReport
{
    public const string LastRunId = "last";

    public string Id { get; init; } = LastRunId;

    public string? JobId { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    public string Outcome { get; init; } = MaintenanceOutcomes.Completed;

    public string Primary { get; init; } = "";

    public string PrimaryCircuit { get; init; } = "";

    public int Moved { get; init; }

    public int Failed { get; init; }

    public int Skipped { get; init; }

    /// <summary>True when the per-run limit stopped it with files still away from the primary.</summary>
    public bool MoreToDo { get; init; }

    public IReadOnlyList<RebalanceFileResult> Files { get; init; } = [];
}

/// <summary>
/// What return-to-primary did with one file. Named strings rather than an enum: they are a field of the maintenance
/// route's JSON, whose published OpenAPI schema types it as a string.
/// </summary>
internal static class RebalanceFileOutcomes
{
    public const string Moved = "moved";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

/// <param name="Outcome">One of <see cref="RebalanceFileOutcomes"/>.</param>
/// <param name="File"><c>video</c> or <c>thumbnail</c>, as in the video's attempt list.</param>
internal sealed record RebalanceFileResult(Guid VideoId, string File, string From, string To, string Outcome, string? Detail);

/// <summary>The last reconciliation run (one document, replaced by each run).</summary>
internal sealed record ReconcileReport
{
    public const string LastRunId = "last";
    public const int MaxListed = 100;

    public string Id { get; init; } = LastRunId;

    public string? JobId { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    public string Outcome { get; init; } = MaintenanceOutcomes.Completed;

    public IReadOnlyList<ReconcileProviderResult> Providers { get; init; } = [];

    /// <summary>Files the catalog serves that their provider no longer holds (at most <see cref="MaxListed"/>).</summary>
    public IReadOnlyList<MissingFile> Missing { get; init; } = [];

    /// <summary>Files marked missing that this run found on their provider again and unmarked (at most <see cref="MaxListed"/>).</summary>
    public IReadOnlyList<FoundFile> Found { get; init; } = [];

    /// <summary>Orphans removed by this run (at most <see cref="MaxListed"/>).</summary>
    public IReadOnlyList<RemovedOrphan> OrphansDeleted { get; init; } = [];
}

/// <param name="Listed">Files the provider holds under the service's prefix.</param>
/// <param name="Orphans">Files no live video claims, old enough to delete.</param>
/// <param name="OrphansWithinGrace">Unclaimed but younger than the grace period: left alone this time.</param>
/// <param name="MissingFiles">Files the catalog serves that are not there.</param>
/// <param name="NewlyMissing">Of those, how many were marked (VideoFileMissing) by this run.</param>
/// <param name="FoundAgain">Files marked missing that are there again: unmarked (VideoFileFound) by this run.</param>
/// <param name="Error">Why the provider could not be reconciled (its files were then left alone).</param>
internal sealed record ReconcileProviderResult(
    string Provider,
    int Listed,
    int Orphans,
    int OrphansDeleted,
    int OrphansWithinGrace,
    int MissingFiles,
    int NewlyMissing,
    int FoundAgain,
    string? Error);

/// <param name="VideoId">The video's id; for a file another module serves (<c>image</c>), the id of its record.</param>
/// <param name="File"><c>video</c>, <c>thumbnail</c>, or what another module calls its file (<c>image</c>).</param>
internal sealed record MissingFile(Guid VideoId, string File, string Provider, string Locator);

/// <param name="VideoId">As in <see cref="MissingFile"/>.</param>
/// <param name="File">As in <see cref="MissingFile"/>.</param>
internal sealed record FoundFile(Guid VideoId, string File, string Provider, string Locator);

internal sealed record RemovedOrphan(string Provider, string Locator, long Bytes);
