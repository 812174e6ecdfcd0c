using System.Security.Claims;
using System.Text.Json.Serialization;
using JasperFx.Events;
using Marten.Events.Aggregation;
using Stremora.Modules.Storage.Contracts;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos;

/// <summary>Where a video is in its life; stored, queried and shown as the contract's lower-case names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VideoStatus>))]
internal enum VideoStatus
{
    [JsonStringEnumMemberName("uploading")]
    Uploading,
    [JsonStringEnumMemberName("storing")]
    Storing,
    [JsonStringEnumMemberName("ready")]
    Ready,
    [JsonStringEnumMemberName("failed")]
    Failed,
    [JsonStringEnumMemberName("deleted")]
    Deleted,
}

/// <summary>Where the removal of one stored file stands; stored and shown as the lower-case names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CleanupState>))]
internal enum CleanupState
{
    [JsonStringEnumMemberName("scheduled")]
    Scheduled,
    [JsonStringEnumMemberName("retrying")]
    Retrying,
    [JsonStringEnumMemberName("done")]
    Done,
    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>
/// A stored file as the catalog keeps it: the <see cref="StoredFile"/> value (flat, as its documents have always
/// been stored) plus what reconciliation found.
/// </summary>
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

    /// <summary>A poster frame the service made, not a thumbnail the client sent.</summary>
    public bool Generated { get; init; }

    public static VideoFileDetails From(StoredFile file) =>
        new(file.Kind, file.Provider, file.Locator, file.ProviderUrl, file.Bytes, file.ContentType, file.Sha256);

    public StoredFile ToStoredFile() => new(Provider, Locator, File, ProviderUrl, Bytes, ContentType, Sha256);

    public bool Is(string provider, string locator) => Provider == provider && Locator == locator;
}

internal sealed record VideoAttemptDetails(StoredFileKind File, string Provider, string Outcome, string? Error, long ElapsedMs);

internal sealed record VideoCleanupDetails(StoredFileKind File, string Provider, string Locator, CleanupState State)
{
    public bool Is(string provider, string locator) => Provider == provider && Locator == locator;

    /// <summary>A removal job will still take care of the file (it has not finished nor given up).</summary>
    public bool IsPending() => State is CleanupState.Scheduled or CleanupState.Retrying;
}

/// <summary>
/// The video's state, folded from its events by <see cref="VideoDetailsProjection"/>: what every slice and job
/// decides from (<see cref="Decide"/>) and what get/list serve. Kept inline (same transaction as the events),
/// so a video is visible the moment it is ready and gone the moment it is deleted. Only "ready" videos are served.
/// </summary>
internal sealed record VideoDetails
{
    public Guid Id { get; init; }

    public long Version { get; init; }

    public string OwnerId { get; init; } = "";

    public string Title { get; init; } = "";

    public string Description { get; init; } = "";

    public VideoStatus Status { get; init; } = VideoStatus.Uploading;

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>False once unpublished: then only the owner and admins see it (documents stored before this field load as published).</summary>
    public bool Published { get; init; } = true;

    public VideoFileDetails? Video { get; init; }

    public VideoFileDetails? Thumbnail { get; init; }

    /// <summary>What ffprobe found; null only while the video has not been analysed.</summary>
    public VideoMedia? Media { get; init; }

    /// <summary>A poster frame was wanted and could not be made or stored (its history says why): the back-fill does not try again.</summary>
    public bool PosterFailed { get; init; }

    public IReadOnlyList<VideoAttemptDetails> Attempts { get; init; } = [];

    public IReadOnlyList<VideoCleanupDetails> Cleanups { get; init; } = [];

    public string? IdempotencyKeyHash { get; init; }

    public string? FailureReason { get; init; }

    /// <summary>Created by a resumable upload: its owner sees it (uploading, storing, failed) before it is ready.</summary>
    public bool Resumable { get; init; }

    /// <summary>Files stored and not yet scheduled for removal: what a failure or a delete must clean up.</summary>
    public IEnumerable<VideoFileDetails> StoredFiles() =>
        new[] { Video, Thumbnail }
            .OfType<VideoFileDetails>()
            .Where(f => !Cleanups.Any(c => c.Is(f.Provider, f.Locator)));

    /// <summary>The video's or the thumbnail's file, if it has one.</summary>
    public VideoFileDetails? FileOf(StoredFileKind kind) => kind == StoredFileKind.Thumbnail ? Thumbnail : Video;

    /// <summary>Ready, and published or the caller's own (or the caller is an admin): anyone else gets a 404.</summary>
    public bool IsVisibleTo(ClaimsPrincipal user) => Status == VideoStatus.Ready && (Published || MayBeChangedBy(user));

    /// <summary>What GET shows: a visible video, or a resumable upload not ready yet (or failed) to its owner or an admin.</summary>
    public bool IsShownTo(ClaimsPrincipal user) =>
        IsVisibleTo(user) || (Resumable && Status is VideoStatus.Uploading or VideoStatus.Storing or VideoStatus.Failed && MayBeChangedBy(user));

    /// <summary>The owner or an admin: who may edit, unpublish, replace files or delete.</summary>
    public bool MayBeChangedBy(ClaimsPrincipal user) => string.Equals(OwnerId, user?.UserId(), StringComparison.Ordinal) || (user?.IsAdmin() ?? false);

    /// <summary>Whether this removal finished (a job that runs twice does nothing the second time).</summary>
    public bool IsCleanedUp(StoredFile file) => Cleanups.Any(c => c.Is(file.Provider, file.Locator) && c.State == CleanupState.Done);
}

/// <summary>Folds a video's stream into <see cref="VideoDetails"/>; explicit (no conventions) so it reads top to bottom.</summary>
internal sealed class VideoDetailsProjection : SingleStreamProjection<VideoDetails, Guid>
{
    public VideoDetailsProjection()
    {
        foreach (var type in VideoEvents.All)
        {
            IncludeType(type);
        }
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
            Status = VideoStatus.Uploading,
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
        ({ } video, VideoReady ready) => video with { Status = VideoStatus.Ready, Title = ready.Title, Description = ready.Description },
        ({ } video, VideoUploadFailed failed) => video with { Status = VideoStatus.Failed, FailureReason = failed.Reason },
        ({ } video, VideoDeleted) => video with { Status = VideoStatus.Deleted },
        ({ } video, StoredFileCleanupScheduled scheduled) => WithCleanup(video, scheduled.File, scheduled.Provider, scheduled.Locator, CleanupState.Scheduled),
        ({ } video, StoredFileCleanedUp cleaned) => WithCleanup(video, cleaned.File, cleaned.Provider, cleaned.Locator, CleanupState.Done),
        ({ } video, StoredFileCleanupFailed failed) => WithCleanup(video, failed.File, failed.Provider, failed.Locator, failed.WillRetry ? CleanupState.Retrying : CleanupState.Failed),
        ({ } video, VideoFileMoved moved) => WithFile(video, moved.File, f => f.Is(moved.FromProvider, moved.FromLocator)
            ? new VideoFileDetails(f.File, moved.ToProvider, moved.ToLocator, moved.ToProviderUrl, f.Bytes, f.ContentType, f.Sha256) { Generated = f.Generated }
            : f),
        ({ } video, VideoFileMissing missing) => WithFile(video, missing.File, f => f.Is(missing.Provider, missing.Locator) ? f with { Missing = true } : f),
        ({ } video, VideoFileFound found) => WithFile(video, found.File, f => f.Is(found.Provider, found.Locator) ? f with { Missing = false } : f),
        ({ } video, VideoDetailsChanged changed) => video with { Title = changed.Title, Description = changed.Description },
        ({ } video, VideoPublished) => video with { Published = true },
        ({ } video, VideoUnpublished) => video with { Published = false },
        ({ } video, VideoAnalyzed analyzed) => video with { Media = analyzed.ToMedia() },
        ({ } video, VideoPosterFailed) => video with { PosterFailed = true },
        ({ } video, ResumableUploadCreated) => video with { Resumable = true },
        ({ } video, VideoBytesReceived) => video with { Status = VideoStatus.Storing },
        ({ } video, VideoThumbnailReplaced replaced) => video with
        {
            Thumbnail = VideoFileDetails.From(replaced.ToStoredFile()),
            // The attempts shown are how the current files were stored: the old thumbnail's give way to the new one's.
            Attempts =
            [
                .. video.Attempts.Where(a => a.File != StoredFileKind.Thumbnail),
                .. replaced.Attempts.Select(a => new VideoAttemptDetails(StoredFileKind.Thumbnail, a.Provider, a.Outcome, a.Error, a.ElapsedMs)),
            ],
        },
        ({ } video, _) => video,
    };

    /// <summary>Changes the video's or the thumbnail's file, if there is one.</summary>
    private static VideoDetails WithFile(VideoDetails video, StoredFileKind kind, Func<VideoFileDetails, VideoFileDetails> change) => kind == StoredFileKind.Thumbnail
        ? video with { Thumbnail = video.Thumbnail is null ? null : change(video.Thumbnail) }
        : video with { Video = video.Video is null ? null : change(video.Video) };

    private static VideoDetails WithFile(VideoDetails video, VideoFileStored stored)
    {
        var file = VideoFileDetails.From(stored.ToStoredFile()) with { Generated = stored.Generated };
        return stored.File == StoredFileKind.Thumbnail ? video with { Thumbnail = file } : video with { Video = file };
    }

    private static VideoDetails WithCleanup(VideoDetails video, StoredFileKind file, string provider, string locator, CleanupState state) => video with
    {
        Cleanups =
        [
            .. video.Cleanups.Where(c => !c.Is(provider, locator)),
            new VideoCleanupDetails(file, provider, locator, state),
        ],
    };
}
