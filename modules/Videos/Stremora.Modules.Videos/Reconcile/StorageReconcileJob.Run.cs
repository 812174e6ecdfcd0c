using Stremora.Modules.Videos.StorageMaintenance;

namespace Stremora.Modules.Videos.Reconcile;

/// <summary>What one reconciliation run has seen so far: the report's lists and each provider's counts.</summary>
internal sealed partial class StorageReconcileJob
{
    private sealed record Run(DateTimeOffset StartedAt, TimeSpan Grace)
    {
        public List<ReconcileProviderResult> Providers { get; } = [];

        public List<MissingFile> Missing { get; } = [];

        public List<FoundFile> Found { get; } = [];

        public List<RemovedOrphan> Deleted { get; } = [];
    }

    private sealed class Tally(string provider)
    {
        public string Provider { get; } = provider;

        public int Listed { get; set; }

        public int Orphans { get; set; }

        public int Deleted { get; set; }

        public int Young { get; set; }

        public int Missing { get; set; }

        public int NewlyMissing { get; set; }

        public int FoundAgain { get; set; }

        public string? Error { get; set; }
    }
}
