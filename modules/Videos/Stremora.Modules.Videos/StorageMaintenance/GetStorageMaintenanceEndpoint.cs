using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.StorageMaintenance;

internal sealed record StorageMaintenanceResponse(RebalanceStatus Rebalance, ReconcileStatus Reconcile);

/// <param name="PrimaryCircuit">The primary's circuit as this instance sees it now.</param>
internal sealed record RebalanceStatus(bool Enabled, string Cron, int MaxFilesPerRun, string Primary, string PrimaryCircuit, RebalanceReport? LastRun);

internal sealed record ReconcileStatus(bool Enabled, string Cron, int OrphanGraceMinutes, ReconcileReport? LastRun);

/// <summary>
/// The storage maintenance jobs' settings and last results. A sibling of storage's <c>GET /api/admin/storage</c>:
/// the results come from the catalog, which the storage module must not know.
/// </summary>
internal sealed class GetStorageMaintenanceEndpoint(
    IQuerySession session,
    IStorageMaintenance maintenance,
    IOptions<RebalanceOptions> rebalance,
    IOptions<ReconcileOptions> reconcile) : EndpointWithoutRequest<Ok<StorageMaintenanceResponse>>
{
    public override void Configure()
    {
        Get("/api/admin/storage/maintenance");
        Policies(StremoraPolicies.Admin);
        Description(d => d.WithTags("Admin").ProducesProblemDetails(StatusCodes.Status401Unauthorized).ProducesProblemDetails(StatusCodes.Status403Forbidden));
        Summary(s => s.Summary = "Admin: return-to-primary and reconciliation settings and their last runs' results.");
    }

    public override async Task<Ok<StorageMaintenanceResponse>> ExecuteAsync(CancellationToken ct)
    {
        var lastRebalance = await session.LoadAsync<RebalanceReport>(RebalanceReport.LastRunId, ct);
        var lastReconcile = await session.LoadAsync<ReconcileReport>(ReconcileReport.LastRunId, ct);
        var primary = maintenance.Primary;
        return TypedResults.Ok(new StorageMaintenanceResponse(
            new RebalanceStatus(rebalance.Value.Enabled, rebalance.Value.Cron, rebalance.Value.MaxFilesPerRun, primary.Name, primary.CircuitState, lastRebalance),
            new ReconcileStatus(reconcile.Value.Enabled, reconcile.Value.Cron, reconcile.Value.OrphanGraceMinutes, lastReconcile)));
    }
}
