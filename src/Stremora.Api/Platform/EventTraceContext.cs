using System.Diagnostics;
using Marten;
using Stremora.SharedKernel;

namespace Stremora.Api.Platform;

/// <summary>
/// Stamps the events a session appends with the current <c>traceparent</c> (Marten event headers), so work a
/// subscription starts from them later (the cleanup outbox) continues the request's trace: see <see cref="EventTracing"/>.
/// </summary>
internal sealed class EventTraceContext : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (Activity.Current is { } current)
        {
            session.SetHeader(EventTracing.TraceParentHeader, current.Id!);
        }

        return Task.CompletedTask;
    }
}
