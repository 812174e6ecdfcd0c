using System.Security.Cryptography;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.ReplaceThumbnail;

/// <summary>
/// A replacement's <c>Idempotency-Key</c>, on the upload's mechanism (<see cref="IdempotencyKey"/>, <see cref="IdempotencyLiveness"/>):
/// claimed before anything is stored, recorded with the replacement's events in one transaction, released when the
/// replacement is not recorded. A retry of a recorded replacement is replayed from the version it recorded.
/// </summary>
internal sealed class ThumbnailIdempotency(IDocumentStore store, NpgsqlDataSource database, string keyHash, Guid videoId) : IAsyncDisposable
{
    private IAsyncDisposable? _alive;
    private bool _claimed;

    /// <summary>This replacement's id: its liveness lock, and the new file's storage key.</summary>
    public Guid ReplacementId { get; } = Guid.CreateVersion7();

    /// <summary>Claims the key for this replacement, unless an earlier request holds it.</summary>
    public async Task<ThumbnailClaim> ClaimAsync(CancellationToken ct)
    {
        var claim = await LoadAsync(ct);
        if (claim is not null && (claim.Request != IdempotencyKey.ThumbnailReplacement || claim.VideoId != videoId))
        {
            return new ThumbnailClaim.Refused(Conflict("Idempotency-Key reused", $"This {IdempotencyKey.Header} was already used for another request; use a new key for a new replacement."));
        }

        if (claim?.Version is { } version)
        {
            return new ThumbnailClaim.Replay(version);
        }

        if (claim?.HolderId is { } holder && await IdempotencyLiveness.IsAliveAsync(database, holder, ct))
        {
            return new ThumbnailClaim.Refused(InProgress());
        }

        // Held before the claim is visible, so whoever sees the claim can tell whether this replacement still runs.
        _alive = await IdempotencyLiveness.HoldAsync(database, ReplacementId, ct);
        await using var session = store.LightweightSession();
        // Compare-and-set, as an upload's: take the key only from the dead holder the check saw; of two retries, the
        // second's insert collides and it stores nothing.
        if (claim?.HolderId is { } dead)
        {
            IdempotencyKey.ReleaseHeldBy(session, keyHash, dead);
        }

        session.Insert(Claim(null));
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException)
        {
            // The key's holder recorded its replacement meanwhile (then this is a replay), or another retry took it.
            return await LoadAsync(ct) is { Version: { } recorded } ? new ThumbnailClaim.Replay(recorded) : new ThumbnailClaim.Refused(InProgress());
        }

        _claimed = true;
        return new ThumbnailClaim.Claimed();
    }

    /// <summary>
    /// A retry of the recorded replacement: the same thumbnail (by its SHA-256, read from the body and not stored)
    /// gets the first answer again, the video as that replacement left it; another one is refused.
    /// </summary>
    public async Task<Results<Ok<VideoResponse>, ProblemHttpResult>> ReplayAsync(IVideoStorage storage, ThumbnailForm form, HttpResponse response, long version, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(response);
        var sha256 = await form.ReadAsync(async body => Convert.ToHexStringLower(await SHA256.HashDataAsync(body, ct)), ct);
        if (sha256 is null)
        {
            return ThumbnailForm.Problem(StatusCodes.Status400BadRequest, "No thumbnail", $"Send the new thumbnail as a file part named '{ThumbnailForm.PartName}'.");
        }

        await using var query = store.QuerySession();
        var replaced = await query.Events.AggregateStreamAsync<VideoDetails>(videoId, version, token: ct)
            ?? throw new InvalidOperationException($"Video {videoId}'s stream has no version {version}, which its Idempotency-Key recorded.");
        if (!string.Equals(sha256, replaced.Thumbnail?.Sha256, StringComparison.Ordinal))
        {
            return Conflict("Idempotency-Key reused", $"This {IdempotencyKey.Header} was already used to replace the thumbnail with another image; use a new key for a new replacement.");
        }

        response.Headers[IdempotencyKey.ReplayedHeader] = "true";
        VideoETag.Set(response, replaced);
        return TypedResults.Ok(await VideoResponse.FromAsync(replaced, storage, ct));
    }

    /// <summary>Marks the key done at <paramref name="version"/> in the session that appends the replacement.</summary>
    public void Record(IDocumentSession session, long version)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.Store(Claim(version));
    }

    /// <summary>The replacement was not recorded: its retries may go ahead (only if it still holds the key).</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        if (!_claimed)
        {
            return;
        }

        await using var session = store.LightweightSession();
        IdempotencyKey.ReleaseHeldBy(session, keyHash, ReplacementId);
        await session.SaveChangesAsync(ct);
        _claimed = false;
    }

    public static ProblemHttpResult Conflict(string title, string detail) =>
        ThumbnailForm.Problem(StatusCodes.Status409Conflict, title, detail);

    /// <summary>The replacement is over: its key's retries no longer need to wait for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_alive is not null)
        {
            await _alive.DisposeAsync();
            _alive = null;
        }
    }

    private async Task<IdempotencyKey?> LoadAsync(CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return await query.LoadAsync<IdempotencyKey>(keyHash, ct);
    }

    private static ProblemHttpResult InProgress() =>
        Conflict("Replacement in progress", $"A thumbnail replacement with this {IdempotencyKey.Header} is still in progress; retry when it has finished.");

    private IdempotencyKey Claim(long? version) =>
        new(keyHash, videoId) { Request = IdempotencyKey.ThumbnailReplacement, HolderId = ReplacementId, Version = version };
}

/// <summary>What a replacement's key allows: go ahead, replay the recorded one, or a problem.</summary>
internal abstract record ThumbnailClaim
{
    private ThumbnailClaim()
    {
    }

    public sealed record Claimed : ThumbnailClaim;

    /// <param name="Version">The stream version the first request recorded.</param>
    public sealed record Replay(long Version) : ThumbnailClaim;

    public sealed record Refused(ProblemHttpResult Problem) : ThumbnailClaim;
}
