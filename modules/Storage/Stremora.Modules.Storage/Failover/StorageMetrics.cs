using System.Diagnostics.Metrics;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// Meter <c>Stremora.Storage</c>, readable by OpenTelemetry or <c>dotnet-counters monitor -n Stremora.Api --counters Stremora.Storage</c>.
/// </summary>
internal sealed class StorageMetrics
{
    public const string MeterName = "Stremora.Storage";

    private readonly Counter<long> _uploads;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _failovers;
    private readonly Histogram<double> _attemptDuration;

    public StorageMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _uploads = meter.CreateCounter<long>("stremora.storage.uploads", "{file}", "Files stored, per provider and file kind.");
        _bytes = meter.CreateCounter<long>("stremora.storage.bytes", "By", "Bytes stored, per provider.");
        _failovers = meter.CreateCounter<long>("stremora.storage.failovers", "{failover}", "Times the chain moved past a provider that failed or was skipped.");
        _attemptDuration = meter.CreateHistogram<double>("stremora.storage.attempt.duration", "ms", "Duration of each provider attempt, by outcome.");
    }

    public void Stored(string provider, StoredFileKind kind, long bytes)
    {
        var tags = new KeyValuePair<string, object?>[] { new("provider", provider), new("kind", KindTag(kind)) };
        _uploads.Add(1, tags);
        _bytes.Add(bytes, tags);
    }

    public void FailedOver(string fromProvider, string outcome) =>
        _failovers.Add(1, new KeyValuePair<string, object?>("provider", fromProvider), new KeyValuePair<string, object?>("outcome", outcome));

    public void Attempted(string provider, string outcome, double elapsedMs) =>
        _attemptDuration.Record(elapsedMs, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("outcome", outcome));

    public static string KindTag(StoredFileKind kind) => kind switch
    {
        StoredFileKind.Video => "video",
        StoredFileKind.Image => "image",
        _ => "thumbnail",
    };
}
