using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// Readiness from the chain's circuits: never worse than Degraded. One provider down is covered by
/// failover; with every circuit open uploads answer 503 but reads, deletes and the catalog still work,
/// so taking the instance out of a load balancer would only make things worse. Descriptions name
/// providers, never addresses.
/// </summary>
internal sealed class StorageHealthCheck(FailoverChain chain) : IHealthCheck
{
    public const string Name = "storage";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = chain.Links.Select(l => (l.Name, State: l.CircuitState)).ToList();
        var data = states.ToDictionary(s => s.Name, s => (object)s.State, StringComparer.Ordinal);
        var open = states.Where(s => s.State == CircuitStates.Open).Select(s => s.Name).ToList();
        var result = states.Count == 0 || open.Count == states.Count
            ? HealthCheckResult.Degraded("No storage provider can take uploads; reads still work.", data: data)
            : states.TrueForAll(s => s.State == CircuitStates.Closed)
                ? HealthCheckResult.Healthy("Every storage provider is available.", data)
                : HealthCheckResult.Degraded($"Circuit not closed: {string.Join(", ", states.Where(s => s.State != CircuitStates.Closed).Select(s => s.Name))}.", data: data);
        return Task.FromResult(result);
    }
}
