using JasperFx.Events;
using Marten.Events.Aggregation;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Cleanup;
using Stremora.Modules.Videos.DeleteVideo;
using Stremora.Modules.Videos.Rebalance;
using Stremora.Modules.Videos.Reconcile;
using Stremora.Modules.Videos.UploadVideo;

namespace Stremora.Modules.Videos.GetVideo;

internal static class VideoStatuses
{
    public const string Uploading = "uploading";
    public const string Ready = "ready";
    public const string Failed = "failed";
    public const string Deleted = "deleted";
}

/// <summary>A file as the catalog knows it: enough to play it and to delete it from its provider.</summary>
internal sealed record VideoFileDetails(
    StoredFileKind File,
    string Provider,
    string Locator,
    string? ProviderUrl,
    long Bytes,
    string ContentType,
    string Sha256)
{
    /// <summary>Reconciliation found the provider no longer holds it (until a later run finds it again).</summary>
    public bool Missing { get; init; }

    public StoredFileRef ToRef() => new(Provider, Locator, File, ProviderUrl);

    public bool Is(string provider, string locator) => Provider == provider && Locator == locator;
}

internal sealed record VideoAttemptDetails(StoredFileKind File, string Provider, string Outcome, string? Error, long ElapsedMs);

/// <summary>Where the removal of one stored file stands ("scheduled", "done", "failed").</summary>
internal sealed record VideoCleanupDetails(StoredFileKind File, string Provider, string Locator, string State);

/// <summary>
/// The read model of one video, kept inline (same transaction as the events), so a video is visible
/// the moment it is ready and gone the moment it is deleted. Only "ready" videos are served.
/// </summary>
internal sealed record VideoDetails
{
    public Guid Id { get; init; }

    public long Version { get; init; }

    public string OwnerId { get; init; } = "";

    public string Title { get; init; } = "";

    public string Description { get; init; } = "";

    public string Status { get; init; } = VideoStatuses.Uploading;

    public DateTimeOffset CreatedAt { get; init; }

    public VideoFileDetails? Video { get; init; }

    public VideoFileDetails? Thumbnail { get; init; }

    public IReadOnlyList<VideoAttemptDetails> Attempts { get; init; } = [];

    public IReadOnlyList<VideoCleanupDetails> Cleanups { get; init; } = [];

    public string? IdempotencyKeyHash { get; init; }

    public string? FailureReason { get; init; }

    /// <summary>Files stored and not yet scheduled for removal: what a failure or a delete must clean up.</summary>
    public IEnumerable<VideoFileDetails> StoredFiles() =>
        new[] { Video, Thumbnail }
            .OfType<VideoFileDetails>()
            .Where(f => !Cleanups.Any(c => c.Provider == f.Provider && c.Locator == f.Locator));
}

/// <summary>Folds a video's stream into <see cref="VideoDetails"/>; explicit (no conventions) so it reads top to bottom.</summary>
internal sealed class VideoDetailsProjection : SingleStreamProjection<VideoDetails, Guid>
{
    public VideoDetailsProjection()
    {
        IncludeType<VideoUploadStarted>();
        IncludeType<StorageAttemptFailed>();
        IncludeType<VideoFileStored>();
        IncludeType<VideoReady>();
        IncludeType<VideoUploadFailed>();
        IncludeType<VideoDeleted>();
        IncludeType<StoredFileCleanupScheduled>();
        IncludeType<StoredFileCleanedUp>();
        IncludeType<StoredFileCleanupFailed>();
        IncludeType<VideoFileMoved>();
        IncludeType<VideoFileMissing>();
        IncludeType<VideoFileFound>();
    }

    public override VideoDetails? Evolve(VideoDetails? snapshot, Guid id, IEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var next = Apply(snapshot, id, e.Data);
        return next is null ? null : next with { Version = e.Version };
    }

    internal static VideoDetails? Apply(VideoDetails? current, Guid id, object data) => (current, data) switch
    {
        (_, VideoUploadStarted started) => new VideoDetails
        {
            Id = id,
            OwnerId = started.OwnerId,
            Title = started.Title,
            Description = started.Description,
            Status = VideoStatuses.Uploading,
            CreatedAt = started.StartedAt,
            IdempotencyKeyHash = started.IdempotencyKeyHash,
        },
        (null, _) => null,
        ({ } video, StorageAttemptFailed failed) => video with
        {
            Attempts = [.. video.Attempts, new VideoAttemptDetails(failed.File, failed.Provider, failed.Outcome, failed.Error, failed.ElapsedMs)],
        },
        ({ } video, VideoFileStored stored) => WithFile(video, stored) with
        {
            Attempts = [.. video.Attempts, new VideoAttemptDetails(stored.File, stored.Provider, AttemptOutcomes.Stored, null, stored.ElapsedMs)],
        },
        ({ } video, VideoReady ready) => video with { Status = VideoStatuses.Ready, Title = ready.Title, Description = ready.Description },
        ({ } video, VideoUploadFailed failed) => video with { Status = VideoStatuses.Failed, FailureReason = failed.Reason },
        ({ } video, VideoDeleted) => video with { Status = VideoStatuses.Deleted },
        ({ } video, StoredFileCleanupScheduled scheduled) => WithCleanup(video, scheduled.File, scheduled.Provider, scheduled.Locator, "scheduled"),
        ({ } video, StoredFileCleanedUp cleaned) => WithCleanup(video, cleaned.File, cleaned.Provider, cleaned.Locator, "done"),
        ({ } video, StoredFileCleanupFailed failed) => WithCleanup(video, failed.File, failed.Provider, failed.Locator, failed.WillRetry ? "retrying" : "failed"),
        ({ } video, VideoFileMoved moved) => WithFile(video, moved.File, f => f.Is(moved.FromProvider, moved.FromLocator)
            ? new VideoFileDetails(f.File, moved.ToProvider, moved.ToLocator, moved.ToProviderUrl, f.Bytes, f.ContentType, f.Sha256)
            : f),
        ({ } video, VideoFileMissing missing) => WithFile(video, missing.File, f => f.Is(missing.Provider, missing.Locator) ? f with { Missing = true } : f),
        ({ } video, VideoFileFound found) => WithFile(video, found.File, f => f.Is(found.Provider, found.Locator) ? f with { Missing = false } : f),
        ({ } video, _) => video,
    };

    /// <summary>Changes the video's or the thumbnail's file, if there is one.</summary>
    private static VideoDetails WithFile(VideoDetails video, StoredFileKind kind, Func<VideoFileDetails, VideoFileDetails> change) => kind == StoredFileKind.Thumbnail
        ? video with { Thumbnail = video.Thumbnail is null ? null : change(video.Thumbnail) }
        : video with { Video = video.Video is null ? null : change(video.Video) };

    private static VideoDetails WithFile(VideoDetails video, VideoFileStored stored)
    {
        var file = new VideoFileDetails(stored.File, stored.Provider, stored.Locator, stored.ProviderUrl, stored.Bytes, stored.ContentType, stored.Sha256);
        return stored.File == StoredFileKind.Thumbnail ? video with { Thumbnail = file } : video with { Video = file };
    }

    private static VideoDetails WithCleanup(VideoDetails video, StoredFileKind file, string provider, string locator, string state) => video with
    {
        Cleanups =
        [
            .. video.Cleanups.Where(c => c.Provider != provider || c.Locator != locator),
            new VideoCleanupDetails(file, provider, locator, state),
        ],
    };
}
