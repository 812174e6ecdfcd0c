using Hangfire;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Microsoft.Extensions.DependencyInjection;

namespace Stremora.Modules.Images.Cleanup;

/// <summary>
/// The image cleanup-scheduled events are the outbox: this subscription (run by the async daemon, which keeps its
/// position in PostgreSQL) sees every committed one at least once and enqueues its Hangfire job, so a crash between
/// the delete and the enqueue only delays the removal.
/// </summary>
internal sealed class ImageCleanupOutbox : SubscriptionBase
{
    private readonly IServiceProvider _services;

    public ImageCleanupOutbox(IServiceProvider services)
    {
        _services = services;
        Name = "ImagesCleanupOutbox";
        IncludeType<ImageCleanupScheduled>();
    }

    public override Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        // Resolved lazily: the store is built before Hangfire's client can be.
        var jobs = _services.GetRequiredService<IBackgroundJobClient>();
        foreach (var e in page.Events)
        {
            if (e.Data is ImageCleanupScheduled scheduled)
            {
                var cleanup = new ImageCleanup(e.StreamId, scheduled.Provider, scheduled.Locator, scheduled.ProviderUrl);
                jobs.Enqueue<ImageCleanupJob>(j => j.RunAsync(cleanup, null, CancellationToken.None));
            }
        }

        return Task.FromResult(NullChangeListener.Instance);
    }
}
