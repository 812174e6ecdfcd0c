using JasperFx;
using JasperFx.Events;
using Marten;

namespace Stremora.Modules.Images;

/// <summary>
/// The module's one way to append to an image's stream, always with the expected version: Marten then knows each
/// new event's version and keeps <see cref="ImageDetails.Version"/> right for the next expected-version append.
/// </summary>
internal static class ImageStream
{
    private const int MaxTries = 10;

    /// <returns>False when the stream moved on since <paramref name="version"/> (nothing was saved): the decision is stale.</returns>
    public static async Task<bool> TryAppendAsync(this IDocumentSession session, Guid imageId, long version, IReadOnlyList<object> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(events);
        session.Events.Append(imageId, version + events.Count, [.. events]);
        try
        {
            await session.SaveChangesAsync(ct);
            return true;
        }
        catch (Exception e) when (e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
        {
            return false;
        }
    }

    /// <summary>A job's outcome, which must land whatever else was appended meanwhile.</summary>
    public static async Task AppendToLatestAsync(this IDocumentStore store, Guid imageId, object @event, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        for (var attempt = 1; attempt <= MaxTries; attempt++)
        {
            await using var session = store.LightweightSession();
            var state = await session.Events.FetchStreamStateAsync(imageId, ct)
                ?? throw new InvalidOperationException($"Image {imageId} has no stream; {@event.GetType().Name} has nothing to follow.");
            if (await session.TryAppendAsync(imageId, state.Version, [@event], ct))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), ct);
        }

        throw new InvalidOperationException($"Image {imageId}'s stream kept moving on; {@event.GetType().Name} was not appended after {MaxTries} tries.");
    }
}
