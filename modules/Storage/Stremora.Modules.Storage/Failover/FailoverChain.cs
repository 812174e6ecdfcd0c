using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// The failover chain behind <see cref="IVideoStorage"/>: the incoming stream is spooled (hashed and
/// counted in the same pass) while the first provider reads it; a provider that fails, times out,
/// reports the wrong size/checksum or has an open circuit is passed over and the next replays the
/// spool from offset 0 while the client's bytes keep arriving.
/// </summary>
internal sealed partial class FailoverChain : IVideoStorage
{
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StaleSpoolAge = TimeSpan.FromDays(1);

    private readonly Dictionary<string, IStorageProvider> _registered;
    private readonly StorageOptions _options;
    private readonly StorageMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<FailoverChain> _logger;

    public FailoverChain(
        IEnumerable<IStorageProvider> providers,
        IOptions<StorageOptions> options,
        StorageMetrics metrics,
        TimeProvider time,
        ILogger<FailoverChain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _registered = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;

        var entries = new List<ChainEntry>();
        foreach (var name in _options.OrderedNames)
        {
            var provider = _registered.GetValueOrDefault(name);
            var link = provider is { IsConfigured: true } ? NewLink(provider) : null;
            entries.Add(new ChainEntry(name, link is not null, link));
        }

        // A fresh checkout with no cloud account still works: local disk takes the uploads.
        var fallback = _registered.Values.FirstOrDefault(p => p.IsFallback);
        if (entries.TrueForAll(e => e.Link is null) && fallback is not null && entries.TrueForAll(e => e.Name != fallback.Name))
        {
            entries.Add(new ChainEntry(fallback.Name, true, NewLink(fallback)));
        }

        Entries = entries;
        Links = entries.Where(e => e.Link is not null).Select(e => e.Link!).ToList();
        _metrics.ObserveCircuits(Links);
        SpoolFolder.DeleteStale(_options.EffectiveSpoolDirectory, StaleSpoolAge, _time.GetUtcNow());
    }

    /// <summary>Every provider named in <c>Storage:Order</c> (plus the local fallback when it applies), in order.</summary>
    public IReadOnlyList<ChainEntry> Entries { get; }

    /// <summary>The providers uploads actually go to, in order.</summary>
    public IReadOnlyList<ChainLink> Links { get; }

    public Task<StoreOutcome> StoreAsync(StoreFileRequest request, Stream content, CancellationToken cancellationToken) =>
        StoreAsync(request, content, Links, cancellationToken);

    /// <summary>The upload path over the given links only (return-to-primary sends to the first alone).</summary>
    internal async Task<StoreOutcome> StoreAsync(StoreFileRequest request, Stream content, IReadOnlyList<ChainLink> links, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(content);
        var attempts = new List<StorageAttempt>();
        SpoolTee spoolTee;
        try
        {
            spoolTee = content is IFileBackedSource backed ? SpoolTee.Over(backed.FilePath) : SpoolTee.Create(_options.EffectiveSpoolDirectory);
        }
        catch (StorageSpoolException e)
        {
            LogSpoolFailed(e.InnerException!, request.Key);
            return new StoreOutcome.Aborted(e, attempts);
        }

        await using var spool = spoolTee;
        using var upload = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // The writer starts at once and runs beside the attempts; its failure (client gone, too large) stops them.
        var writer = Task.Run(
            async () =>
            {
                try
                {
                    await spool.PumpAsync(content, request.MaxBytes, request.Kind, upload.Token);
                }
                catch
                {
                    await upload.CancelAsync();
                    throw;
                }
            },
            CancellationToken.None);

        var inspection = request.Inspect is { } inspect ? InspectAsync(inspect, spool, writer, request.Key, upload) : null;
        try
        {
            var target = new ProviderUpload(request.Kind, request.Key, request.ContentType);
            var aborted = false;
            for (var i = 0; i < links.Count && !aborted; i++)
            {
                var link = links[i];
                var end = await AttemptAsync(link, request, target, spool, upload.Token);
                if (end is not AttemptEnd.Tried(var attempt, var stored))
                {
                    aborted = true;
                    continue;
                }

                attempts.Add(attempt);
                if (stored is not null)
                {
                    if (await RefusalAsync(inspection) is { } refusedAfter)
                    {
                        await DeleteQuietlyAsync(link.Provider, stored);
                        return new StoreOutcome.Refused(refusedAfter.Reason, attempts);
                    }

                    return new StoreOutcome.Stored(stored, attempts);
                }

                if (i < links.Count - 1)
                {
                    _metrics.FailedOver(link.Name, attempt.Outcome);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if ((aborted || inspection?.IsCompleted == true) && await RefusalAsync(inspection) is { } refused)
            {
                return new StoreOutcome.Refused(refused.Reason, attempts);
            }

            if ((aborted || writer.IsFaulted) && await SourceFailureAsync(writer) is { } failure)
            {
                // The writer's own error decides: too large, or the client's abort; the attempts were its casualties.
                if (failure is StorageSpoolException)
                {
                    LogSpoolFailed(failure.InnerException!, request.Key);
                }

                return failure is FileTooLargeException tooLarge
                    ? new StoreOutcome.TooLarge(tooLarge.Kind, tooLarge.MaxBytes, attempts)
                    : new StoreOutcome.Aborted(failure, attempts);
            }

            LogAllFailed(request.Key, attempts.Count);
            return new StoreOutcome.AllFailed(attempts);
        }
        finally
        {
            if (!writer.IsCompleted)
            {
                await upload.CancelAsync();
            }

            try
            {
                await writer;
            }
            catch (Exception) when (!writer.IsCompletedSuccessfully)
            {
                // Already reported above (or superseded by the attempts' outcome); the spool is deleted next.
            }

            if (inspection is { IsCompleted: false })
            {
                // Every provider failed first: the inspector must not outlive the spool it reads.
                await upload.CancelAsync();
                await RefusalAsync(inspection);
            }
        }
    }

    /// <returns>The writer's error once it has finished, or null when it finished cleanly.</returns>
    private static async Task<Exception?> SourceFailureAsync(Task writer)
    {
        try
        {
            await writer;
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e;
        }
    }

    public Task DeleteAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        return ProviderFor(file).DeleteAsync(file, cancellationToken);
    }

    public Task<string> GetPlaybackUrlAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!_registered.ContainsKey(file.Provider) && file.ProviderUrl is { Length: > 0 } url)
        {
            return Task.FromResult(url);
        }

        return ProviderFor(file).GetPlaybackUrlAsync(file, cancellationToken);
    }

    public async Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, Func<string, bool> isOurs, CancellationToken cancellationToken)
    {
        var aborted = 0;
        foreach (var sweeper in _registered.Values.Where(p => p.IsConfigured).OfType<IAbandonedUploadSweeper>())
        {
            aborted += await sweeper.AbortAbandonedUploadsAsync(olderThan, isOurs, cancellationToken);
        }

        return aborted;
    }

    internal IStorageProvider ProviderFor(StoredFile file) =>
        _registered.GetValueOrDefault(file.Provider)
        ?? throw new InvalidOperationException($"No storage provider named '{file.Provider}' is registered.");

    private ChainLink NewLink(IStorageProvider provider) =>
        new(provider, _options.CircuitBreaker, _options.AttemptSettingsFor(provider.Name), _time);
}

/// <param name="Link">Null when the provider is not configured (or not part of this build).</param>
internal sealed record ChainEntry(string Name, bool Configured, ChainLink? Link);
