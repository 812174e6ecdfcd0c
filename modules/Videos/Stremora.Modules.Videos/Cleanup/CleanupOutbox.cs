using Hangfire;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Microsoft.Extensions.DependencyInjection;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.Cleanup;

/// <summary>
/// The cleanup-scheduled events are the outbox: this subscription (run by the async daemon, which keeps its
/// position in PostgreSQL) sees every committed one at least once and enqueues its Hangfire job.
/// A crash between the append and the enqueue therefore only delays the job until the daemon resumes.
/// </summary>
internal sealed class CleanupOutbox : SubscriptionBase
{
    private readonly IServiceProvider _services;

    public CleanupOutbox(IServiceProvider services)
    {
        _services = services;
        Name = "VideosCleanupOutbox";
        IncludeType<StoredFileCleanupScheduled>();
    }

    public override Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        // Resolved lazily: the store is built before Hangfire's client can be.
        var jobs = _services.GetRequiredService<IBackgroundJobClient>();
        foreach (var e in page.Events)
        {
            if (e.Data is StoredFileCleanupScheduled scheduled)
            {
                // The job is enqueued inside the trace that scheduled the cleanup (the append's traceparent header).
                using var trace = EventTracing.ContinueFrom("enqueue cleanup", e.GetHeader(EventTracing.TraceParentHeader));
                var cleanup = StoredFileCleanup.For(e.StreamId, scheduled);
                jobs.Enqueue<StoredFileCleanupJob>(j => j.RunAsync(cleanup, 1, CancellationToken.None));
            }
        }

        return Task.FromResult(NullChangeListener.Instance);
    }
}
