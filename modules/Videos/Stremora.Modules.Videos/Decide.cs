using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos;

/// <summary>
/// The video's lifecycle rules, as pure functions from its state (and what just happened) to the events to
/// append. Every slice and job decides here, so a rule is written once: "a failed upload schedules the removal
/// of what it stored", "a delete removes every file", "a move schedules the old copy's removal".
/// </summary>
internal static class Decide
{
    /// <summary>
    /// An upload that will not become ready: its unrecorded attempts, the failure, then for each file it stored
    /// either its removal (done at once) or a cleanup job (removing it at once failed).
    /// </summary>
    public static IReadOnlyList<object> FailUpload(
        IEnumerable<StorageAttempt> unrecordedAttempts,
        string reason,
        IEnumerable<(StoredFile File, bool RemovedAtOnce)> stored,
        DateTimeOffset at) =>
    [
        .. unrecordedAttempts.Select(StorageAttemptFailed.For),
        new VideoUploadFailed(reason, at),
        .. stored.Select(s => s.RemovedAtOnce
            ? (object)StoredFileCleanedUp.For(s.File)
            : StoredFileCleanupScheduled.For(s.File, "upload failed; removing it at once failed too")),
    ];

    /// <summary>A file landed on a provider: the attempts that failed before it, then the file itself.</summary>
    public static IReadOnlyList<object> Stored(StoreOutcome.Stored stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var storedAttempt = stored.Attempts.LastOrDefault(a => a.Outcome == AttemptOutcomes.Stored);
        return
        [
            .. stored.Attempts.Where(a => a.Outcome != AttemptOutcomes.Stored).Select(StorageAttemptFailed.For),
            VideoFileStored.For(stored.File, storedAttempt?.ElapsedMs ?? 0),
        ];
    }

    /// <summary>An upload still "uploading" after <paramref name="threshold"/>: its process died; what it stored goes.</summary>
    public static IReadOnlyList<object> Abandon(VideoDetails video, TimeSpan threshold, DateTimeOffset at) =>
        [new VideoUploadFailed($"abandoned: still uploading {threshold} after it started", at), .. RemoveAll(video, "upload abandoned")];

    /// <summary>An upload whose process is known to have died (its liveness lock went with its session): what it stored goes.</summary>
    public static IReadOnlyList<object> Died(VideoDetails video, DateTimeOffset at) =>
        [new VideoUploadFailed("abandoned: its process ended mid-upload", at), .. RemoveAll(video, "upload abandoned")];

    /// <summary>The owner or an admin deleted the video: it leaves the catalog and every stored file is removed.</summary>
    public static IReadOnlyList<object> Delete(VideoDetails video, string deletedBy, bool byAdmin, DateTimeOffset at) =>
        [new VideoDeleted(deletedBy, byAdmin, at), .. RemoveAll(video, "video deleted")];

    /// <summary>A verified copy of <paramref name="file"/> now serves the video; the old copy's removal goes with it.</summary>
    public static IReadOnlyList<object> Move(VideoFileDetails file, StoredFile copy, string reason, DateTimeOffset at) =>
    [
        new VideoFileMoved(file.File, file.Provider, file.Locator, copy.Provider, copy.Locator, copy.ProviderUrl, copy.Bytes, copy.Sha256, reason, at),
        StoredFileCleanupScheduled.For(file.ToStoredFile(), $"moved to {copy.Provider}"),
    ];

    /// <summary>
    /// An edit: what changed among title, description and published (absent fields stay as they are). An edit that
    /// changes nothing appends nothing.
    /// </summary>
    public static IReadOnlyList<object> Edit(VideoDetails video, string? title, string? description, bool? published, string changedBy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(video);
        var events = new List<object>();
        var newTitle = title ?? video.Title;
        var newDescription = description ?? video.Description;
        if (!string.Equals(newTitle, video.Title, StringComparison.Ordinal) || !string.Equals(newDescription, video.Description, StringComparison.Ordinal))
        {
            events.Add(new VideoDetailsChanged(newTitle, newDescription, changedBy, at));
        }

        if (published is { } publish && publish != video.Published)
        {
            events.Add(publish ? new VideoPublished(changedBy, at) : new VideoUnpublished(changedBy, at));
        }

        return events;
    }

    /// <summary>
    /// A new thumbnail, already stored, serves from now on; the old one (if the video had one not already being
    /// removed) goes through the cleanup outbox in the same append, so it is removed only once the new one is recorded.
    /// </summary>
    public static IReadOnlyList<object> ReplaceThumbnail(VideoDetails video, StoredFile stored, IEnumerable<StorageAttempt> attempts, string replacedBy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(video);
        return
        [
            VideoThumbnailReplaced.For(stored, attempts, replacedBy, at),
            .. video.StoredFiles().Where(f => f.File == StoredFileKind.Thumbnail).Select(f => StoredFileCleanupScheduled.For(f.ToStoredFile(), "thumbnail replaced")),
        ];
    }

    /// <summary>A replacement thumbnail that was stored but will not be recorded (it lost a race) and could not be removed at once.</summary>
    public static object DiscardReplacement(StoredFile stored) => StoredFileCleanupScheduled.For(stored, "thumbnail replacement not recorded; removing it at once failed");

    /// <summary>A poster frame the back-fill stored but could not record (the video changed meanwhile): it goes through the cleanup outbox.</summary>
    public static object DiscardPoster(StoredFile stored) => StoredFileCleanupScheduled.For(stored, "back-filled poster frame not recorded: the video changed meanwhile");

    /// <summary>The provider no longer holds a file whose removal was scheduled.</summary>
    public static object CleanupDone(StoredFile file) => StoredFileCleanedUp.For(file);

    /// <summary>A removal attempt failed: retried while attempts remain, else it stays failed for an admin.</summary>
    public static object CleanupFailed(StoredFile file, int attempt, string error, bool willRetry) =>
        new StoredFileCleanupFailed(file.Kind, file.Provider, file.Locator, attempt, error, willRetry);

    /// <summary>Reconciliation did not find the file: marked once (null when it is already marked).</summary>
    public static object? Missing(VideoFileDetails file, DateTimeOffset at) =>
        file.Missing ? null : new VideoFileMissing(file.File, file.Provider, file.Locator, at);

    /// <summary>Reconciliation found the file: unmarked once (null when it was not marked).</summary>
    public static object? Found(VideoFileDetails file, DateTimeOffset at) =>
        file.Missing ? new VideoFileFound(file.File, file.Provider, file.Locator, at) : null;

    private static IEnumerable<object> RemoveAll(VideoDetails video, string reason) =>
        video.StoredFiles().Select(f => StoredFileCleanupScheduled.For(f.ToStoredFile(), reason));
}
