using FastEndpoints;
using Microsoft.AspNetCore.Http;
using Stremora.Modules.Storage.Failover;
using Stremora.SharedKernel;

namespace Stremora.Modules.Storage.Admin;

/// <param name="Name">cloudinary, s3 or local.</param>
/// <param name="Configured">False when its settings are absent: uploads skip it.</param>
/// <param name="CircuitState">closed, open or half-open; null when the provider is not in use.</param>
/// <param name="RecentSuccesses">Files stored in the last 15 minutes (this instance).</param>
/// <param name="RecentFailures">Failed attempts in the last 15 minutes (this instance).</param>
/// <param name="FilesStored">Files stored since this instance started.</param>
/// <param name="LastError">The latest failed attempt's error (safe to show: provider errors never carry secrets).</param>
internal sealed record StorageProviderStatus(
    string Name,
    bool Configured,
    string? CircuitState,
    int RecentSuccesses,
    int RecentFailures,
    long FilesStored,
    string? LastError,
    DateTimeOffset? LastFailureAt);

internal sealed record StorageStatusResponse(IReadOnlyList<StorageProviderStatus> Providers);

/// <summary>
/// The chain as an operator sees it. Counters are per API instance (each keeps its own; behind a load
/// balancer this shows one instance's view): the metrics in meter Stremora.Storage are the fleet-wide view.
/// </summary>
internal sealed class GetStorageStatusEndpoint(FailoverChain chain) : EndpointWithoutRequest<StorageStatusResponse>
{
    public override void Configure()
    {
        Get("/api/admin/storage");
        Policies(StremoraPolicies.Admin);
        Description(d => d.WithTags("Admin").Produces(StatusCodes.Status401Unauthorized).Produces(StatusCodes.Status403Forbidden));
        Summary(s => s.Summary = "Storage providers in chain order with their circuit state and recent outcomes.");
    }

    public override Task<StorageStatusResponse> ExecuteAsync(CancellationToken ct)
    {
        var providers = chain.Entries.Select(e =>
        {
            if (e.Link is null)
            {
                return new StorageProviderStatus(e.Name, e.Configured, null, 0, 0, 0, null, null);
            }

            var (successes, failures, stored) = e.Link.Stats.Snapshot();
            return new StorageProviderStatus(e.Name, e.Configured, e.Link.CircuitState, successes, failures, stored, e.Link.Stats.LastError, e.Link.Stats.LastFailureAt);
        });
        return Task.FromResult(new StorageStatusResponse(providers.ToList()));
    }
}
