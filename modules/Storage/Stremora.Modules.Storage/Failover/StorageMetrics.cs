using System.Diagnostics;
using System.Diagnostics.Metrics;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// Meter <c>Stremora.Storage</c>, exported at <c>/metrics</c> by the host (or read with
/// <c>dotnet-counters monitor -n Stremora.Api --counters Stremora.Storage</c>). Attributes are bounded:
/// provider names, file kinds, outcomes and circuit states, never ids. Each recording also lands on the
/// current attempt's span (<see cref="StorageTelemetry"/>), so traces and metrics tell one story.
/// </summary>
internal sealed class StorageMetrics
{
    public const string MeterName = "Stremora.Storage";

    private static readonly string[] States = [CircuitStates.Closed, CircuitStates.HalfOpen, CircuitStates.Open];

    private readonly Meter _meter;
    private readonly Counter<long> _uploads;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _failovers;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _attemptDuration;

    public StorageMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _uploads = _meter.CreateCounter<long>("stremora.storage.uploads", "{file}", "Files stored, per provider and file kind.");
        _bytes = _meter.CreateCounter<long>("stremora.storage.bytes", "By", "Bytes stored, per provider and file kind.");
        _failovers = _meter.CreateCounter<long>("stremora.storage.failovers", "{failover}", "Times the chain moved past a provider that failed or was skipped.");
        _attempts = _meter.CreateCounter<long>("stremora.storage.attempts", "{attempt}", "Provider attempts, by provider and outcome (stored, failed, skipped, aborted).");
        _attemptDuration = _meter.CreateHistogram(
            "stremora.storage.attempt.duration",
            "s",
            "Duration of each provider attempt, by provider and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
    }

    public void Stored(string provider, StoredFileKind kind, long bytes)
    {
        var tags = new TagList { { "provider", provider }, { "kind", KindTag(kind) } };
        _uploads.Add(1, tags);
        _bytes.Add(bytes, tags);
        StorageTelemetry.CurrentAttempt?.SetTag(StorageTelemetry.BytesTag, bytes);
    }

    public void FailedOver(string fromProvider, string outcome) =>
        _failovers.Add(1, new KeyValuePair<string, object?>("provider", fromProvider), new KeyValuePair<string, object?>("outcome", outcome));

    public void Attempted(string provider, string outcome, double elapsedMs)
    {
        var tags = new TagList { { "provider", provider }, { "outcome", outcome } };
        _attempts.Add(1, tags);
        _attemptDuration.Record(elapsedMs / 1000, tags);
        if (StorageTelemetry.CurrentAttempt is { } span)
        {
            span.SetTag(StorageTelemetry.OutcomeTag, outcome);
            span.SetStatus(outcome == AttemptOutcomes.Failed ? ActivityStatusCode.Error : ActivityStatusCode.Ok);
        }
    }

    /// <summary>Gauge <c>stremora.storage.circuit.state</c>: 1 for each provider's current state, 0 for the others.</summary>
    public void ObserveCircuits(IReadOnlyList<ChainLink> links) =>
        _meter.CreateObservableGauge(
            "stremora.storage.circuit.state",
            () => links.SelectMany(link => States.Select(state => new Measurement<int>(
                link.CircuitState == state ? 1 : 0,
                new KeyValuePair<string, object?>("provider", link.Name),
                new KeyValuePair<string, object?>("state", state)))),
            "{state}",
            "Circuit breaker state per provider: 1 marks the current state.");

    public static string KindTag(StoredFileKind kind) => kind switch
    {
        StoredFileKind.Video => "video",
        StoredFileKind.Image => "image",
        _ => "thumbnail",
    };
}
