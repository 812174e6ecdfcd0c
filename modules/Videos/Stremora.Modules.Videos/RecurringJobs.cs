using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Stremora.Modules.Videos.AbandonedUploads;
using Stremora.Modules.Videos.BackfillMedia;
using Stremora.Modules.Videos.Media;
using Stremora.Modules.Videos.Rebalance;
using Stremora.Modules.Videos.Reconcile;
using Stremora.Modules.Videos.ResumableUpload;
using Stremora.Modules.Videos.StorageMaintenance;

namespace Stremora.Modules.Videos;

/// <summary>
/// Adds the module's recurring jobs at start-up (or, for a maintenance job switched off, removes it);
/// AddOrUpdate is idempotent across instances.
/// </summary>
internal sealed class RecurringJobs(
    IRecurringJobManager recurringJobs,
    IOptions<AbandonedUploadOptions> sweep,
    IOptions<RebalanceOptions> rebalance,
    IOptions<ReconcileOptions> reconcile,
    IOptions<ResumableUploadOptions> uploads,
    IOptions<MediaOptions> media) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recurringJobs.AddOrUpdate<AbandonedUploadSweepJob>(AbandonedUploadSweepJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), sweep.Value.SweepCron);
        recurringJobs.AddOrUpdate<ExpiredUploadSweepJob>(ExpiredUploadSweepJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), uploads.Value.ExpirySweepCron);

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

        if (media.Value.Analyze)
        {
            recurringJobs.AddOrUpdate<MediaBackfillJob>(MediaBackfillJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), media.Value.BackfillCron);
        }
        else
        {
            recurringJobs.RemoveIfExists(MediaBackfillJob.RecurringJobId);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
