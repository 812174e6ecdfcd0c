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
        if (Activity.Current is not { Id: { } traceParent })
        {
            return Task.CompletedTask;
        }

        // On each pending event rather than session.SetHeader: by now Marten has already stamped them with the session's headers.
        foreach (var e in session.PendingChanges.Streams().SelectMany(s => s.Events))
        {
            e.SetHeader(EventTracing.TraceParentHeader, traceParent);
        }

        return Task.CompletedTask;
    }
}
