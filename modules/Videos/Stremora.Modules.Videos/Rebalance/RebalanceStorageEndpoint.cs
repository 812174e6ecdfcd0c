using FastEndpoints;
using Hangfire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stremora.Modules.Videos.StorageMaintenance;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.Rebalance;

/// <summary>Queues a return-to-primary run now (the same job the schedule runs).</summary>
internal sealed class RebalanceStorageEndpoint(IBackgroundJobClient jobs, IOptions<RebalanceOptions> options)
    : EndpointWithoutRequest<Results<Accepted<MaintenanceJobAccepted>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Post("/api/admin/storage/rebalance");
        Policies(StremoraPolicies.Admin);
        Description(d => d.WithTags("Admin")
            .ProducesProblemDetails(StatusCodes.Status401Unauthorized)
            .ProducesProblemDetails(StatusCodes.Status403Forbidden)
            .ProducesProblemDetails(StatusCodes.Status409Conflict));
        Summary(s => s.Summary = "Admin: copy files that failed over back to the primary provider now (a background job; 409 when switched off).");
    }

    public override Task<Results<Accepted<MaintenanceJobAccepted>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct) =>
        Task.FromResult(MaintenanceJobAccepted.Queue(
            options.Value.Enabled,
            "Return to primary",
            "Storage__Rebalance__Enabled",
            () => jobs.Enqueue<StorageRebalanceJob>(j => j.RunAsync(null, CancellationToken.None))));
}
