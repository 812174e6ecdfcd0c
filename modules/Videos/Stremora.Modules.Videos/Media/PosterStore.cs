using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Media;

/// <summary>What storing a poster frame added to the video's stream: the file (to undo if it is not recorded) and the events.</summary>
internal sealed record PosterResult(StoredFile? File, IReadOnlyList<object> Events);

/// <summary>
/// A poster frame (a JPEG <see cref="PosterFrame"/> made) stored through the same failover chain as an uploaded thumbnail,
/// for the upload and the back-fill alike: the attempts and the generated thumbnail, or why the video has none.
/// </summary>
internal static class PosterStore
{
    private const string ContentType = "image/jpeg";

    /// <summary>A fresh path for one poster frame, in the service's own temp folder (never a name a client chose).</summary>
    public static string NewTempFile()
    {
        var folder = Path.Combine(Path.GetTempPath(), "stremora-posters");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{Guid.CreateVersion7():N}.jpg");
    }

    /// <summary>No poster frame could be made: the video stays without a thumbnail, and its history says why.</summary>
    public static PosterResult NotMade(string reason, TimeProvider clock) => new(null, [new VideoPosterFailed(reason, clock.GetUtcNow())]);

    /// <summary>Stores the JPEG at <paramref name="path"/> under <paramref name="key"/>; only the caller's cancellation throws.</summary>
    public static async Task<PosterResult> StoreAsync(IVideoStorage storage, string path, string key, long maxBytes, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(clock);
        var request = new StoreFileRequest(StoredFileKind.Thumbnail, key, ContentType, maxBytes);
        StoreOutcome outcome;
        await using (var poster = File.OpenRead(path))
        {
            outcome = await storage.StoreAsync(request, poster, ct);
        }

        var failed = outcome.Attempts.Where(a => a.Outcome != AttemptOutcomes.Stored).Select(StorageAttemptFailed.For).ToList<object>();
        return outcome switch
        {
            StoreOutcome.Stored stored => new PosterResult(
                stored.File,
                [.. failed, VideoFileStored.For(stored.File, stored.Attempts.LastOrDefault(a => a.Outcome == AttemptOutcomes.Stored)?.ElapsedMs ?? 0) with { Generated = true }]),
            StoreOutcome.AllFailed => new PosterResult(null, [.. failed, new VideoPosterFailed("every storage provider failed to store the poster frame", clock.GetUtcNow())]),
            StoreOutcome.TooLarge tooLarge => new PosterResult(null, [.. failed, new VideoPosterFailed($"the poster frame is larger than {tooLarge.MaxBytes} bytes", clock.GetUtcNow())]),
            _ => new PosterResult(null, [.. failed, new VideoPosterFailed("the poster frame could not be stored", clock.GetUtcNow())]),
        };
    }
}
