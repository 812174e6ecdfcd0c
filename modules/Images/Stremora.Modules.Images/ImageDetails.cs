using JasperFx.Events;
using Marten.Events.Aggregation;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images;

internal static class ImageKinds
{
    public const string Avatar = "avatar";
    public const string Cover = "cover";

    public static bool IsKnown(string? kind) => kind is Avatar or Cover;
}

internal static class ImageStatuses
{
    public const string Ready = "ready";
    public const string Deleted = "deleted";
}

internal static class ImageCleanupStates
{
    public const string Scheduled = "scheduled";
    public const string Retrying = "retrying";
    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>
/// An image's state, folded from its stream by <see cref="ImageDetailsProjection"/> inline (in the transaction that
/// appends), so get and list never lag; what every slice and job decides from. Only "ready" images are served.
/// </summary>
internal sealed record ImageDetails
{
    public Guid Id { get; init; }

    public long Version { get; init; }

    public string Kind { get; init; } = "";

    public string OwnerId { get; init; } = "";

    public string Status { get; init; } = ImageStatuses.Ready;

    public DateTimeOffset CreatedAt { get; init; }

    public StoredFile File { get; init; } = null!;

    public IReadOnlyList<ImageAttempt> Attempts { get; init; } = [];

    /// <summary>Where the removal of the file stands once it was scheduled (one of <see cref="ImageCleanupStates"/>).</summary>
    public string? Cleanup { get; init; }

    public string? IdempotencyKeyHash { get; init; }

    /// <summary>Reconciliation found the provider no longer holds the file (until a later run finds it again).</summary>
    public bool FileMissing { get; init; }

    /// <summary>Reconciliation must leave the file alone: the image serves it, or a removal job will still take care of it.</summary>
    public bool Claims(string provider, string locator) =>
        File.IsAt(provider, locator) && (Status == ImageStatuses.Ready || Cleanup is ImageCleanupStates.Scheduled or ImageCleanupStates.Retrying);
}

/// <summary>Folds an image's stream into <see cref="ImageDetails"/>.</summary>
internal sealed class ImageDetailsProjection : SingleStreamProjection<ImageDetails, Guid>
{
    public ImageDetailsProjection()
    {
        foreach (var type in ImageEvents.All)
        {
            IncludeType(type);
        }
    }

    public override ImageDetails? Evolve(ImageDetails? snapshot, Guid id, IEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var next = Apply(snapshot, id, e.Data);
        return next is null ? null : next with { Version = e.Version };
    }

    internal static ImageDetails? Apply(ImageDetails? current, Guid id, object data) => (current, data) switch
    {
        (_, ImageUploaded uploaded) => new ImageDetails
        {
            Id = id,
            Version = 1,
            Kind = uploaded.Kind,
            OwnerId = uploaded.OwnerId,
            CreatedAt = uploaded.UploadedAt,
            File = uploaded.ToStoredFile(),
            Attempts = uploaded.Attempts,
            IdempotencyKeyHash = uploaded.IdempotencyKeyHash,
        },
        (null, _) => null,
        ({ } image, ImageDeleted) => image with { Status = ImageStatuses.Deleted },
        ({ } image, ImageCleanupScheduled) => image with { Cleanup = ImageCleanupStates.Scheduled },
        ({ } image, ImageCleanedUp) => image with { Cleanup = ImageCleanupStates.Done },
        ({ } image, ImageCleanupFailed failed) => image with { Cleanup = failed.WillRetry ? ImageCleanupStates.Retrying : ImageCleanupStates.Failed },
        ({ } image, ImageFileMissing missing) when image.File.IsAt(missing.Provider, missing.Locator) => image with { FileMissing = true },
        ({ } image, ImageFileFound found) when image.File.IsAt(found.Provider, found.Locator) => image with { FileMissing = false },
        ({ } image, _) => image,
    };
}
