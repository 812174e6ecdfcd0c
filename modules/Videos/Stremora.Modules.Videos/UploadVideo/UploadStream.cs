using Marten;
using JasperFx;
using Npgsql;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// One upload's event stream and what it has done so far: enough to finish it or to undo it. Opened with the
/// first file (and the idempotency key claimed with it), appended with expected versions, then completed
/// ("ready") or abandoned ("failed", with what it stored removed).
/// </summary>
internal sealed partial class UploadStream(
    IDocumentStore store,
    NpgsqlDataSource database,
    IVideoStorage storage,
    TimeProvider clock,
    ILogger logger,
    string ownerId,
    string? idempotencyKeyHash,
    long? declaredBytes) : IAsyncDisposable
{
    private static readonly TimeSpan CleanupBudget = TimeSpan.FromSeconds(30);
    private readonly List<StoredFile> _stored = [];
    private long _version;
    private bool _completed;
    private IAsyncDisposable? _alive;

    public Guid VideoId { get; } = Guid.CreateVersion7();

    public string? IdempotencyKeyHash { get; } = idempotencyKeyHash;

    public UploadVideoRequest Form { get; } = new();

    /// <summary>Set by the idempotency check: the failed or deleted upload that held the key, whose claim this one replaces.</summary>
    public Guid? PreviousKeyHolder { get; set; }

    public bool Started { get; private set; }

    /// <summary>Attempts the stream has not recorded yet (every provider failed): recorded when it is abandoned.</summary>
    public List<StorageAttempt> UnrecordedAttempts { get; } = [];

    /// <summary>
    /// The first file is about to be stored: open the stream (and claim the idempotency key) first, so a
    /// crash from here on leaves an "uploading" video for the sweeper instead of an unknown orphan.
    /// </summary>
    public async Task StartAsync(StoredFileKind firstFile, string? declaredType, CancellationToken ct)
    {
        var started = new VideoUploadStarted(
            VideoId,
            ownerId,
            Form.Title ?? "",
            Form.Description ?? "",
            declaredBytes,
            firstFile == StoredFileKind.Video ? declaredType : null,
            firstFile == StoredFileKind.Thumbnail ? declaredType : null,
            IdempotencyKeyHash,
            clock.GetUtcNow());

        await using var session = store.LightweightSession();
        session.Events.StartStream<VideoDetails>(VideoId, started);
        if (IdempotencyKeyHash is { } keyHash)
        {
            // Held before the claim is visible, so whoever sees the claim can tell whether this upload still runs.
            _alive = await IdempotencyLiveness.HoldAsync(database, VideoId, ct);
            // Compare-and-set: take the key from the holder the check saw, and only from it. Of two retries that both saw
            // it, the second deletes nothing (the row is the first's now) and its insert collides: 409, nothing stored.
            IdempotencyKey.Release(session, keyHash, PreviousKeyHolder);
            session.Insert(new IdempotencyKey(keyHash, VideoId));
        }

        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException)
        {
            throw UploadRejectedException.Problem(StatusCodes.Status409Conflict, "Upload in progress", $"Another upload with this {IdempotencyKey.Header} started at the same time.");
        }

        Started = true;
        _version = 1;
    }

    /// <summary>A file is stored: the attempts that failed before it, then the file itself, then what its analysis found.</summary>
    public async Task RecordAsync(StoreOutcome.Stored stored, IReadOnlyList<object> analysis, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(analysis);
        _stored.Add(stored.File);
        await AppendAsync([.. Decide.Stored(stored), .. analysis], ct);
    }

    /// <summary>The poster frame stored (undone like any file if the upload fails), or why there is none.</summary>
    public async Task RecordPosterAsync(Media.PosterResult poster, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(poster);
        if (poster.File is { } file)
        {
            _stored.Add(file);
        }

        if (poster.Events.Count > 0)
        {
            await AppendAsync(poster.Events, ct);
        }
    }

    /// <returns>The ready video as get and list will serve it.</returns>
    public async Task<VideoDetails> CompleteAsync(CancellationToken ct)
    {
        await AppendAsync([new VideoReady(Form.Title!, Form.Description ?? "", clock.GetUtcNow())], ct);
        _completed = true;
        await using var session = store.QuerySession();
        return await session.LoadAsync<VideoDetails>(VideoId, ct)
            ?? throw new InvalidOperationException($"Video {VideoId} is ready but its read model is missing.");
    }

    /// <summary>
    /// Undo an upload that will not become ready: remove what it stored right away and record why on its
    /// stream (status "failed", never served). A file that cannot be removed now gets a cleanup job.
    /// Runs on its own time budget: the request may already be cancelled.
    /// </summary>
    public async Task AbandonAsync(string reason)
    {
        if (!Started || _completed)
        {
            return;
        }

        using var budget = new CancellationTokenSource(CleanupBudget);
        var stored = new List<(StoredFile File, bool RemovedAtOnce)>();
        foreach (var file in _stored)
        {
            try
            {
                await storage.DeleteAsync(file, budget.Token);
                stored.Add((file, true));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogCleanupDeferred(logger, e, file.Provider, file.Locator, VideoId);
                stored.Add((file, false));
            }
        }

        try
        {
            await using var session = store.LightweightSession();
            // No expected version: whatever else was appended meanwhile, this upload is over.
            session.Events.Append(VideoId, [.. Decide.FailUpload(UnrecordedAttempts, reason, stored, clock.GetUtcNow())]);
            IdempotencyKey.Release(session, IdempotencyKeyHash, VideoId);
            await session.SaveChangesAsync(budget.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The stream stays "uploading": the abandoned-upload sweep marks it failed and cleans up later.
            LogAbandonNotRecorded(logger, e, VideoId);
        }
    }

    /// <summary>The upload is over (ready, failed or never started): its key's retries no longer need to wait for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_alive is not null)
        {
            await _alive.DisposeAsync();
            _alive = null;
        }
    }

    /// <summary>Appends with the expected version: if the sweeper declared this upload dead meanwhile, this fails and the upload is abandoned.</summary>
    private async Task AppendAsync(IReadOnlyList<object> events, CancellationToken ct)
    {
        if (!await store.TryAppendAsync(VideoId, _version, events, ct))
        {
            throw new InvalidOperationException($"Upload {VideoId}'s stream moved on without it (the abandoned-upload sweep declared it dead).");
        }

        _version += events.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove {Provider} {Locator} of failed upload {VideoId} at once; a cleanup job will")]
    private static partial void LogCleanupDeferred(ILogger logger, Exception exception, string provider, string locator, Guid videoId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record the failure of upload {VideoId}; the abandoned-upload sweep will")]
    private static partial void LogAbandonNotRecorded(ILogger logger, Exception exception, Guid videoId);
}
