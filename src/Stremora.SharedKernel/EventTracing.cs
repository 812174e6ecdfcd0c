using System.Diagnostics;
using System.Globalization;

namespace Stremora.SharedKernel;

/// <summary>
/// Carries a trace across the event store: the host stamps every appended event with the W3C
/// <c>traceparent</c> of the request (or job) that appended it, and work started later from that event
/// (a subscription enqueueing a job) continues the same trace instead of starting a disconnected one.
/// </summary>
public static class EventTracing
{
    public const string TraceParentHeader = "traceparent";
    public const string SourceName = "Stremora.Events";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span under the trace recorded in the event's header (a new root when it has none).</summary>
    public static Activity? ContinueFrom(string name, object? traceParent)
    {
        var id = Convert.ToString(traceParent, CultureInfo.InvariantCulture);
        return ActivityContext.TryParse(id, null, out var parent)
            ? Source.StartActivity(name, ActivityKind.Consumer, parent)
            : Source.StartActivity(name, ActivityKind.Consumer);
    }
}
