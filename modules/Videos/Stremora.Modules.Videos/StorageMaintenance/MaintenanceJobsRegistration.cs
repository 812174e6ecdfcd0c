using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Stremora.Modules.Videos.Rebalance;
using Stremora.Modules.Videos.Reconcile;

namespace Stremora.Modules.Videos.StorageMaintenance;

internal static class MaintenanceJobsServices
{
    public static IServiceCollection AddStorageMaintenanceJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RebalanceOptions>()
            .Bind(configuration.GetSection(RebalanceOptions.Section))
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.Cron), "Storage__Rebalance__Cron must be a cron expression.")
            .Validate(o => o.MaxFilesPerRun >= 1, "Storage__Rebalance__MaxFilesPerRun must be at least 1.")
            .Validate(o => o.CopyTimeoutMinutes >= 1, "Storage__Rebalance__CopyTimeoutMinutes must be at least 1.")
            .ValidateOnStart();
        services.AddOptions<ReconcileOptions>()
            .Bind(configuration.GetSection(ReconcileOptions.Section))
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.Cron), "Storage__Reconcile__Cron must be a cron expression.")
            .Validate(o => o.OrphanGraceMinutes >= 0, "Storage__Reconcile__OrphanGraceMinutes must be zero or more.")
            .ValidateOnStart();

        services.AddTransient<StorageRebalanceJob>();
        services.AddTransient<StorageReconcileJob>();
        services.AddHostedService<MaintenanceJobsRegistration>();
        return services;
    }
}

/// <summary>Adds (or, when switched off, removes) the two recurring jobs at start-up; idempotent across instances.</summary>
internal sealed class MaintenanceJobsRegistration(IRecurringJobManager recurringJobs, IOptions<RebalanceOptions> rebalance, IOptions<ReconcileOptions> reconcile) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (rebalance.Value.Enabled)
        {
            recurringJobs.AddOrUpdate<StorageRebalanceJob>(StorageRebalanceJob.RecurringJobId, job => job.RunAsync(null, CancellationToken.None), rebalance.Value.Cron);
        }
        else
        {
            recurringJobs.RemoveIfExists(StorageRebalanceJob.RecurringJobId);
        }

        if (reconcile.Value.Enabled)
        {
            recurringJobs.AddOrUpdate<StorageReconcileJob>(StorageReconcileJob.RecurringJobId, job => job.RunAsync(null, CancellationToken.None), reconcile.Value.Cron);
        }
        else
        {
            recurringJobs.RemoveIfExists(StorageReconcileJob.RecurringJobId);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
