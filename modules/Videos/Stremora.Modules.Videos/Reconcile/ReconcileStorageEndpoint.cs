using FastEndpoints;
using Hangfire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stremora.Modules.Videos.StorageMaintenance;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.Reconcile;

/// <summary>Queues a reconciliation run now (the same job the schedule runs).</summary>
internal sealed class ReconcileStorageEndpoint(IBackgroundJobClient jobs, IOptions<ReconcileOptions> options)
    : EndpointWithoutRequest<Results<Accepted<MaintenanceJobAccepted>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Post("/api/admin/storage/reconcile");
        Policies(StremoraPolicies.Admin);
        Description(d => d.WithTags("Admin")
            .ProducesProblemDetails(StatusCodes.Status401Unauthorized)
            .ProducesProblemDetails(StatusCodes.Status403Forbidden)
            .ProducesProblemDetails(StatusCodes.Status409Conflict));
        Summary(s => s.Summary = "Admin: reconcile every provider with the catalog now (a background job; 409 when switched off).");
    }

    public override Task<Results<Accepted<MaintenanceJobAccepted>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct) =>
        Task.FromResult(MaintenanceJobAccepted.Queue(
            options.Value.Enabled,
            "Reconciliation",
            "Storage__Reconcile__Enabled",
            () => jobs.Enqueue<StorageReconcileJob>(j => j.RunAsync(null, CancellationToken.None))));
}
