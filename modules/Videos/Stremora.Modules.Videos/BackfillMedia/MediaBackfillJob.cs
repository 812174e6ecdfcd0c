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
/// <param name="Analyzed">Videos that got their <c>media</c>.</param>
/// <param name="Posters">Videos that got a generated thumbnail.</param>
/// <param name="PostersFailed">Videos whose poster frame could not be made or stored (their history says why; not tried again).</param>
/// <param name="Skipped">Videos that changed meanwhile, or have no stored file to read.</param>
/// <param name="Failed">Videos that could not be read or analysed: nothing appended, the next run tries again.</param>
internal sealed record MediaBackfillReport(int Analyzed, int Posters, int PostersFailed, int Skipped, int Failed);

/// <summary>
/// Back-fills what uploads get today for ready videos that lack it (stored before analysis existed, with
/// <c>Media__Analyze=false</c> or with <c>Media__Posters=false</c>): <c>media</c>, read by ffprobe from the URL its
/// provider gives, and for a video without a thumbnail a poster frame, taken by ffmpeg from that URL (range requests,
/// never the whole video) and stored through the same failover chain as an uploaded thumbnail. Each video's events are
/// appended in one go with the expected version, so a rerun (or another instance) finds nothing left to do for it and
/// never makes a second poster. A video that cannot be read is skipped with a warning and tried again on the next run;
/// a poster that cannot be made is on its history (<see cref="VideoPosterFailed"/>) and not tried again.
/// </summary>
internal sealed partial class MediaBackfillJob(
    IDocumentStore store,
    IVideoStorage storage,
    IServer server,
    TimeProvider clock,
    IOptions<MediaOptions> options,
    IOptions<UploadOptions> uploads,
    ILogger<MediaBackfillJob> logger)
{
    public const string RecurringJobId = "videos-media-backfill";
    private const int BatchSize = 50;

    /// <summary><see cref="VideoStatus.Ready"/> as the document stores it (its JSON name).</summary>
    private const string StoredReady = "ready";

    [DisplayName("Videos: analyse stored videos that have no media, and make posters for those without a thumbnail")]
    public async Task<MediaBackfillReport> RunAsync(CancellationToken cancellationToken)
    {
        var report = new MediaBackfillReport(0, 0, 0, 0, 0);
        if (!options.Value.Analyze)
        {
            return report;
        }

        var after = Guid.Empty;
        var budget = options.Value.BackfillMaxVideosPerRun;
        while (budget > 0)
        {
            var batch = await NextBatchAsync(after, Math.Min(BatchSize, budget), cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var video in batch)
            {
                after = video.Id;
                budget--;
                var (outcome, poster) = await BackfillAsync(video, cancellationToken);
                report = report with
                {
                    Analyzed = report.Analyzed + (outcome == Outcome.Done && video.Media is null ? 1 : 0),
                    Posters = report.Posters + (outcome == Outcome.Done && poster == PosterOutcome.Stored ? 1 : 0),
                    PostersFailed = report.PostersFailed + (outcome == Outcome.Done && poster == PosterOutcome.Failed ? 1 : 0),
                    Skipped = report.Skipped + (outcome == Outcome.Skipped ? 1 : 0),
                    Failed = report.Failed + (outcome == Outcome.Failed ? 1 : 0),
                };
            }
        }

        return report;
    }

    private enum Outcome
    {
        Done,
        Skipped,
        Failed,
    }

    private enum PosterOutcome
    {
        None,
        Stored,
        Failed,
    }

    /// <summary>
    /// Ready videos after <paramref name="after"/> in id order with no media, or (posters on) no thumbnail and no poster
    /// failure yet. SQL over the documents, so that documents stored before a field existed count as not having it.
    /// </summary>
    private async Task<IReadOnlyList<VideoDetails>> NextBatchAsync(Guid after, int take, CancellationToken cancellationToken)
    {
        await using var query = store.QuerySession();
        var table = query.DocumentStore.Options.Schema.For<VideoDetails>();
        var wantsPoster = options.Value.Posters
            ? " or (data ->> 'thumbnail' is null and not coalesce((data ->> 'posterFailed')::boolean, false))"
            : "";
        return await query.QueryAsync<VideoDetails>(
            $"select data from {table} where data ->> 'status' = ? and id > ? and (data ->> 'media' is null{wantsPoster}) order by id limit ?",
            cancellationToken,
            StoredReady,
            after,
            take);
    }

    private async Task<(Outcome Outcome, PosterOutcome Poster)> BackfillAsync(VideoDetails video, CancellationToken cancellationToken)
    {
        if (video.Video is not { Missing: false } file)
        {
            return (Outcome.Skipped, PosterOutcome.None);
        }

        var events = new List<object>();
        PosterResult? poster = null;
        try
        {
            var url = await storage.GetPlaybackUrlAsync(file.ToStoredFile(), cancellationToken);
            if (Absolute(url) is not { } uri)
            {
                LogNoUrl(video.Id, file.Provider);
                return (Outcome.Failed, PosterOutcome.None);
            }

            var media = video.Media;
            if (media is null)
            {
                var result = await MediaProbe.RunAsync(options.Value, uri, file.ContentType, cancellationToken);
                if (result is not ProbeResult.Analyzed analyzed)
                {
                    LogUndecodable(video.Id, file.Provider, ((ProbeResult.Undecodable)result).Reason);
                    return (Outcome.Failed, PosterOutcome.None);
                }

                media = analyzed.Media;
                events.Add(VideoAnalyzed.For(media, clock.GetUtcNow()));
            }

            if (options.Value.Posters && video.Thumbnail is null && !video.PosterFailed)
            {
                poster = await PosterAsync(video.Id, uri, media, cancellationToken);
                events.AddRange(poster.Events);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(e, video.Id, file.Provider);
            await DiscardAsync(video.Id, poster, cancellationToken);
            return (Outcome.Failed, PosterOutcome.None);
        }

        if (events.Count == 0 || !await store.TryAppendAsync(video.Id, video.Version, events, cancellationToken))
        {
            // Edited, deleted, given a thumbnail or back-filled meanwhile: the next run decides again from its new state.
            await DiscardAsync(video.Id, poster, cancellationToken);
            return (Outcome.Skipped, PosterOutcome.None);
        }

        return (Outcome.Done, poster is null ? PosterOutcome.None : poster.File is null ? PosterOutcome.Failed : PosterOutcome.Stored);
    }

    /// <summary>
    /// The poster frame from the stored file's URL, stored under a key of its own (so removing one that lost a race can
    /// never touch a thumbnail the video shows), through the upload's own poster code.
    /// </summary>
    private async Task<PosterResult> PosterAsync(Guid videoId, Uri url, VideoMedia media, CancellationToken cancellationToken)
    {
        var output = PosterStore.NewTempFile();
        try
        {
            return await PosterFrame.MakeAsync(options.Value, url, media, output, cancellationToken) is { } why
                ? PosterStore.NotMade(why, clock)
                : await PosterStore.StoreAsync(
                    storage,
                    output,
                    StorageKey.ForReplacement(videoId, StoredFileKind.Thumbnail, Guid.CreateVersion7()),
                    uploads.Value.MaxThumbnailBytes,
                    clock,
                    cancellationToken);
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>A stored poster that will not be recorded serves nothing: its removal goes through the cleanup outbox.</summary>
    private async Task DiscardAsync(Guid videoId, PosterResult? poster, CancellationToken cancellationToken)
    {
        if (poster?.File is { } orphan)
        {
            await store.AppendToLatestAsync(videoId, Decide.DiscardPoster(orphan), cancellationToken);
        }
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
