using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.Media;

/// <summary>
/// The media analysis every route that stores a video attaches to its store request (<see cref="StoreFileRequest.Inspect"/>):
/// a fresh <see cref="MediaInspection"/> per video file, or none when <c>Media__Analyze=false</c>.
/// </summary>
internal sealed class MediaAnalysis(IOptions<MediaOptions> options, TimeProvider clock)
{
    public bool Enabled => options.Value.Analyze;

    /// <param name="wantsPoster">Asked once the file is analysed: true when no thumbnail was sent so far.</param>
    public MediaInspection? Begin(string sniffedContentType, Func<bool> wantsPoster) =>
        Enabled ? new MediaInspection(options.Value, clock, sniffedContentType, () => options.Value.Posters && wantsPoster()) : null;
}

/// <summary>
/// One video file's analysis, run by storage on the spooled file while it exists (no byte fetched twice): ffprobe's
/// figures or a refusal, then, when no thumbnail was sent, a poster frame in a temp file of its own until it is stored.
/// </summary>
internal sealed class MediaInspection(MediaOptions options, TimeProvider clock, string sniffedContentType, Func<bool> wantsPoster) : IDisposable
{
    public VideoMedia? Media { get; private set; }

    /// <summary>The poster frame made from the spool, until it is stored; null when none was wanted or it failed.</summary>
    public string? PosterPath { get; private set; }

    /// <summary>Why no poster frame could be made, when one was wanted.</summary>
    public string? PosterFailure { get; private set; }

    /// <summary>The <see cref="SpoolInspector"/>: refuses what ffprobe cannot decode as video.</summary>
    public async Task<SpoolVerdict> InspectAsync(string spooledFilePath, CancellationToken ct)
    {
        switch (await MediaProbe.RunAsync(options, spooledFilePath, sniffedContentType, ct))
        {
            case ProbeResult.Undecodable undecodable:
                return new SpoolVerdict.Refused(undecodable.Reason);
            case ProbeResult.Analyzed analyzed:
                Media = analyzed.Media;
                break;
        }

        if (wantsPoster())
        {
            var output = PosterStore.NewTempFile();
            PosterFailure = await PosterFrame.MakeAsync(options, spooledFilePath, Media!, output, ct);
            if (PosterFailure is null)
            {
                PosterPath = output;
            }
            else
            {
                File.Delete(output);
            }
        }

        return SpoolVerdict.Accept;
    }

    /// <summary>The analysis for the video's stream (nothing when it never ran).</summary>
    public IReadOnlyList<object> AnalysisEvents() => Media is { } media ? [VideoAnalyzed.For(media, clock.GetUtcNow())] : [];

    /// <summary>
    /// Stores the poster frame through the same failover chain as an uploaded thumbnail. A poster that was not made
    /// or not stored leaves the video without a thumbnail and says why on its stream; only the caller's cancellation throws.
    /// </summary>
    public Task<PosterResult> StorePosterAsync(IVideoStorage storage, Guid videoId, long maxBytes, CancellationToken ct) =>
        PosterPath is { } path
            ? PosterStore.StoreAsync(storage, path, StorageKey.ForFile(videoId, StoredFileKind.Thumbnail), maxBytes, clock, ct)
            : Task.FromResult(PosterFailure is { } why ? PosterStore.NotMade(why, clock) : new PosterResult(null, []));

    public void Dispose()
    {
        if (PosterPath is { } path)
        {
            File.Delete(path);
            PosterPath = null;
        }
    }
}
