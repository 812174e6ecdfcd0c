using JasperFx;
using JasperFx.Events;
using Marten;

namespace Stremora.Modules.Videos;

/// <summary>
/// Appends that must land whatever else is appended to the same stream meanwhile (two cleanup jobs of one
/// video finishing together both compute the same next version; the loser simply tries again).
/// </summary>
internal static class StreamAppends
{
    private const int MaxTries = 10;

    public static async Task AppendAsync(this IDocumentStore store, Guid streamId, object @event, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            session.Events.Append(streamId, @event);
            try
            {
                await session.SaveChangesAsync(ct);
                return;
            }
            catch (Exception e) when (attempt < MaxTries && IsVersionConflict(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), ct);
            }
        }
    }

    public static bool IsVersionConflict(Exception e) => e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException;
}
