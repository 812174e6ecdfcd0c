using JasperFx;
using JasperFx.Events;
using Marten;

namespace Stremora.Modules.Videos;

/// <summary>
/// The module's one way to append to a video's stream. With the expected version, Marten knows each new event's
/// version and keeps the projected <see cref="VideoDetails.Version"/> right (a quick append would drop it to 0,
/// and every later expected-version append would conflict for ever).
/// </summary>
internal static class VideoStream
{
    private const int MaxTries = 10;

    /// <summary>
    /// Appends <paramref name="events"/> after <paramref name="version"/> with whatever else the session holds, and saves.
    /// </summary>
    /// <returns>False when the stream moved on since <paramref name="version"/> (nothing was saved): the decision is stale.</returns>
    public static async Task<bool> TryAppendAsync(this IDocumentSession session, Guid videoId, long version, IReadOnlyList<object> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(events);
        session.Events.Append(videoId, version + events.Count, [.. events]);
        try
        {
            await session.SaveChangesAsync(ct);
            return true;
        }
        catch (Exception e) when (IsVersionConflict(e))
        {
            return false;
        }
    }

    /// <inheritdoc cref="TryAppendAsync(IDocumentSession, Guid, long, IReadOnlyList{object}, CancellationToken)"/>
    public static async Task<bool> TryAppendAsync(this IDocumentStore store, Guid videoId, long version, IReadOnlyList<object> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var session = store.LightweightSession();
        return await session.TryAppendAsync(videoId, version, events, ct);
    }

    /// <summary>
    /// An outcome that must land whatever else is appended meanwhile (two cleanup jobs of one video finishing
    /// together both compute the same next version; the loser reads the new version and tries again).
    /// </summary>
    public static async Task AppendToLatestAsync(this IDocumentStore store, Guid videoId, object @event, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var state = await session.Events.FetchStreamStateAsync(videoId, ct);
            if (state is null)
            {
                session.Events.Append(videoId, @event);
                await session.SaveChangesAsync(ct);
                return;
            }

            if (await session.TryAppendAsync(videoId, state.Version, [@event], ct))
            {
                return;
            }

            if (attempt == MaxTries)
            {
                throw new InvalidOperationException($"Video {videoId}'s stream kept moving on; {@event.GetType().Name} was not appended after {MaxTries} tries.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), ct);
        }
    }

    public static bool IsVersionConflict(Exception e) => e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException;
}
