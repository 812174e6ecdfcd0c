using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Stremora.Modules.Videos.UploadVideo;

namespace Stremora.Modules.Videos.AbandonedUploads;

/// <summary>Registers the module's recurring jobs at start-up (AddOrUpdate is idempotent across instances).</summary>
internal sealed class RecurringJobsRegistration(IRecurringJobManager recurringJobs, IOptions<UploadOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recurringJobs.AddOrUpdate<AbandonedUploadSweepJob>(
            AbandonedUploadSweepJob.RecurringJobId,
            job => job.RunAsync(CancellationToken.None),
            options.Value.SweepCron);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
