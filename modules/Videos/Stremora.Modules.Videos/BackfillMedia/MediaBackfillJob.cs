using System.ComponentModel;
using Marten;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Media;

namespace Stremora.Modules.Videos.BackfillMedia;

/// <summary>How one back-fill run ended (Hangfire shows it as the job's result).</summary>
internal sealed record MediaBackfillReport(int Analyzed, int Skipped, int Failed);

/// <summary>
/// Analyses ready videos that have no <c>media</c> (stored before analysis existed, or with <c>Media__Analyze=false</c>):
/// ffprobe reads each file from the URL its provider gives, with range requests, never the whole video. Each result is
/// appended as <see cref="VideoAnalyzed"/> with the expected version, so a rerun (or another instance) skips it. A
/// video that cannot be analysed is skipped with a warning and tried again on the next run; it never stops the run.
/// </summary>
internal sealed partial class MediaBackfillJob(
    IDocumentStore store,
    IVideoStorage storage,
    IServer server,
    TimeProvider clock,
    IOptions<MediaOptions> options,
    ILogger<MediaBackfillJob> logger)
{
    public const string RecurringJobId = "videos-media-backfill";
    private const int BatchSize = 50;

    [DisplayName("Videos: analyse stored videos that have no media")]
    public async Task<MediaBackfillReport> RunAsync(CancellationToken cancellationToken)
    {
        int analyzed = 0, skipped = 0, failed = 0;
        if (!options.Value.Analyze)
        {
            return new MediaBackfillReport(analyzed, skipped, failed);
        }

        var after = Guid.Empty;
        var budget = options.Value.BackfillMaxVideosPerRun;
        while (budget > 0)
        {
            IReadOnlyList<VideoDetails> batch;
            await using (var query = store.QuerySession())
            {
                batch = await query.Query<VideoDetails>()
                    .Where(v => v.Status == VideoStatus.Ready && v.Media == null && v.Id.CompareTo(after) > 0)
                    .OrderBy(v => v.Id)
                    .Take(Math.Min(BatchSize, budget))
                    .ToListAsync(cancellationToken);
            }

            if (batch.Count == 0)
            {
                break;
            }

            foreach (var video in batch)
            {
                after = video.Id;
                budget--;
                switch (await AnalyzeAsync(video, cancellationToken))
                {
                    case Outcome.Analyzed:
                        analyzed++;
                        break;
                    case Outcome.Skipped:
                        skipped++;
                        break;
                    default:
                        failed++;
                        break;
                }
            }
        }

        return new MediaBackfillReport(analyzed, skipped, failed);
    }

    private enum Outcome
    {
        Analyzed,
        Skipped,
        Failed,
    }

    private async Task<Outcome> AnalyzeAsync(VideoDetails video, CancellationToken cancellationToken)
    {
        if (video.Video is not { Missing: false } file)
        {
            return Outcome.Skipped;
        }

        ProbeResult result;
        try
        {
            var url = await storage.GetPlaybackUrlAsync(file.ToStoredFile(), cancellationToken);
            if (Absolute(url) is not { } uri)
            {
                LogNoUrl(video.Id, file.Provider);
                return Outcome.Failed;
            }

            result = await MediaProbe.RunAsync(options.Value, uri, file.ContentType, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(e, video.Id, file.Provider);
            return Outcome.Failed;
        }

        if (result is not ProbeResult.Analyzed analyzed)
        {
            LogUndecodable(video.Id, file.Provider, ((ProbeResult.Undecodable)result).Reason);
            return Outcome.Failed;
        }

        if (!await store.TryAppendAsync(video.Id, video.Version, [VideoAnalyzed.For(analyzed.Media, clock.GetUtcNow())], cancellationToken))
        {
            // Edited, deleted or analysed meanwhile: the next run decides again from its new state.
            return Outcome.Skipped;
        }

        return Outcome.Analyzed;
    }

    /// <summary>Cloudinary's and S3's URLs are absolute; the local disk's /media route is this service's own, on the address it listens on.</summary>
    private Uri? Absolute(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps))
        {
            return absolute;
        }

        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => a.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal))
            .Select(a => Uri.TryCreate(a, UriKind.Absolute, out var u) ? u : null)
            .FirstOrDefault(u => u is not null && u.Scheme == Uri.UriSchemeHttp);
        return listening is not null && url.StartsWith('/') ? new Uri(listening, url) : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Media back-fill skipped video {VideoId}: {Provider} gave no URL ffprobe can read over HTTP; the next run tries again")]
    private partial void LogNoUrl(Guid videoId, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Media back-fill skipped video {VideoId} on {Provider}: {Reason} The next run tries again")]
    private partial void LogUndecodable(Guid videoId, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Media back-fill skipped video {VideoId} on {Provider}; the next run tries again")]
    private partial void LogFailed(Exception e, Guid videoId, string provider);
}
