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
            // With the expected version, Marten knows the new event's version and keeps the projected
            // VideoDetails.Version right; without it (quick append) the read model's version drops to 0
            // and every later expected-version append to a live video (delete, move) conflicts for ever.
            var state = await session.Events.FetchStreamStateAsync(streamId, ct);
            if (state is null)
            {
                session.Events.Append(streamId, @event);
            }
            else
            {
                session.Events.Append(streamId, state.Version + 1, @event);
            }

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
