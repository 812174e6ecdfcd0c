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
        if (entries.TrueForAll(e => e.Link is null) && _registered.TryGetValue("local", out var local) && entries.TrueForAll(e => e.Name != "local"))
        {
            entries.Add(new ChainEntry(local.Name, true, NewLink(local)));
        }

        Entries = entries;
        Links = entries.Where(e => e.Link is not null).Select(e => e.Link!).ToList();
        _metrics.ObserveCircuits(Links); // telemetry hook: circuit-state gauge
        SpoolTee.DeleteStale(_options.EffectiveSpoolDirectory, StaleSpoolAge, _time.GetUtcNow());
    }

    /// <summary>Every provider named in <c>Storage:Order</c> (plus the local fallback when it applies), in order.</summary>
    public IReadOnlyList<ChainEntry> Entries { get; }

    /// <summary>The providers uploads actually go to, in order.</summary>
    public IReadOnlyList<ChainLink> Links { get; }

    public Task<StoreResult> StoreAsync(StoreFileRequest request, Stream content, CancellationToken cancellationToken) =>
        StoreAsync(request, content, Links, cancellationToken);

    /// <summary>The upload path over the given links only (return-to-primary sends to the first alone).</summary>
    internal async Task<StoreResult> StoreAsync(StoreFileRequest request, Stream content, IReadOnlyList<ChainLink> links, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(content);
        var attempts = new List<StorageAttempt>();
        // MD5 costs the writer a second hash over every byte: only while an attempt still to come will compare one.
        await using var spool = SpoolTee.Create(_options.EffectiveSpoolDirectory, computeMd5: WillCompareMd5(links, 0));
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

        try
        {
            var target = new ProviderUpload(request.Kind, request.Key, request.ContentType);
            var aborted = false;
            for (var i = 0; i < links.Count && !aborted; i++)
            {
                var link = links[i];
                var (stored, attempt) = await AttemptAsync(link, request, target, spool, upload.Token);
                if (attempt is null)
                {
                    aborted = true;
                    continue;
                }

                attempts.Add(attempt);
                if (stored is not null)
                {
                    return new StoreResult(stored, attempts);
                }

                if (i < links.Count - 1)
                {
                    _metrics.FailedOver(link.Name, attempt.Outcome);
                }

                if (!WillCompareMd5(links, i + 1))
                {
                    spool.DropMd5();
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (aborted || writer.IsFaulted)
            {
                // Rethrows the writer's own error: FileTooLargeException, or the client's abort.
                await writer;
            }

            LogAllFailed(request.Key, attempts.Count);
            throw new AllProvidersFailedException(attempts);
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
        }
    }

    public Task DeleteAsync(StoredFileRef file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        return ProviderFor(file).DeleteAsync(file, cancellationToken);
    }

    public Task<string> GetPlaybackUrlAsync(StoredFileRef file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!_registered.ContainsKey(file.Provider) && file.ProviderUrl is { Length: > 0 } url)
        {
            return Task.FromResult(url);
        }

        return ProviderFor(file).GetPlaybackUrlAsync(file, cancellationToken);
    }

    public async Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var aborted = 0;
        foreach (var sweeper in _registered.Values.Where(p => p.IsConfigured).OfType<IAbandonedUploadSweeper>())
        {
            aborted += await sweeper.AbortAbandonedUploadsAsync(olderThan, cancellationToken);
        }

        return aborted;
    }

    /// <returns>The stored file (success), or the attempt that failed/was skipped, or (null, null) when the upload itself was aborted.</returns>
    private async Task<(StoredFile? Stored, StorageAttempt? Attempt)> AttemptAsync(
        ChainLink link,
        StoreFileRequest request,
        ProviderUpload target,
        SpoolTee spool,
        CancellationToken cancellationToken)
    {
        using var span = StorageTelemetry.StartAttempt(link.Name, request.Kind); // telemetry hook: one span per attempt
        var started = _time.GetTimestamp();
        string outcome;
        string? error;
        try
        {
            var stored = await link.Pipeline.ExecuteAsync(
                async token => await RunAttemptAsync(link, request, target, spool, token),
                cancellationToken);
            var elapsed = _time.GetElapsedTime(started);
            await link.RecordSuccessAsync();
            _metrics.Attempted(link.Name, AttemptOutcomes.Stored, elapsed.TotalMilliseconds);
            _metrics.Stored(link.Name, request.Kind, stored.Bytes);
            return (stored, new StorageAttempt(request.Kind, link.Name, AttemptOutcomes.Stored, null, (long)elapsed.TotalMilliseconds));
        }
        catch (BrokenCircuitException)
        {
            outcome = AttemptOutcomes.Skipped;
            error = "circuit open";
        }
        catch (AttemptFailedException e)
        {
            outcome = AttemptOutcomes.Failed;
            error = e.Message;
            link.Stats.RecordFailure(e.Message);
            LogAttemptFailed(e.InnerException ?? e, link.Name, request.Key, e.Message);
        }
        catch (Exception e) when (e is UploadAbortedException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            _metrics.Attempted(link.Name, "aborted", _time.GetElapsedTime(started).TotalMilliseconds);
            await link.RecordAbortedAsync();
            return (null, null);
        }

        var ms = _time.GetElapsedTime(started).TotalMilliseconds;
        _metrics.Attempted(link.Name, outcome, ms);
        return (null, new StorageAttempt(request.Kind, link.Name, outcome, error, (long)ms));
    }

    /// <summary>A link from <paramref name="from"/> on reports an MD5 and is not skipped for an open circuit.</summary>
    private static bool WillCompareMd5(IReadOnlyList<ChainLink> links, int from) =>
        links.Skip(from).Any(l => l.Provider.ReportsMd5 && l.CircuitState != CircuitStates.Open);

    /// <summary>
    /// One provider attempt under its time limits. Throws <see cref="AttemptFailedException"/> (counts
    /// against the provider's circuit) or <see cref="UploadAbortedException"/> (the upload itself stopped).
    /// </summary>
    private async Task<StoredFile> RunAttemptAsync(
        ChainLink link,
        StoreFileRequest request,
        ProviderUpload target,
        SpoolTee spool,
        CancellationToken cancellationToken)
    {
        using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var source = new AttemptSource(spool, _time);
        var started = _time.GetTimestamp();
        var overall = TimeSpan.FromSeconds(link.Attempt.TimeoutSeconds);
        var idle = TimeSpan.FromSeconds(link.Attempt.IdleTimeoutSeconds);
        string? timedOut = null;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 4, 10, 1000));
        await using var watchdog = _time.CreateTimer(
            _ =>
            {
                var reason = _time.GetElapsedTime(started) > overall ? $"timed out after {overall.TotalSeconds:0.###} s"
                    : source.IdleFor > idle ? $"no progress for {idle.TotalSeconds:0.###} s"
                    : null;
                if (reason is not null && Interlocked.CompareExchange(ref timedOut, reason, null) is null)
                {
                    try
                    {
                        attemptCts.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // The attempt finished while the watchdog fired.
                    }
                }
            },
            null,
            period,
            period);

        ProviderStoredFile stored;
        long total;
        try
        {
            stored = await link.Provider.UploadAsync(target, source, attemptCts.Token);

            // A provider may return before the last byte arrived (a broken one would); the truth needs the whole file.
            total = await spool.WaitForAsync(0, long.MaxValue, attemptCts.Token);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested || e is SpoolAbortedException || e.InnerException is SpoolAbortedException)
        {
            throw new UploadAbortedException(e);
        }
        catch (Exception e) when (Volatile.Read(ref timedOut) is { } reason)
        {
            throw new AttemptFailedException(reason, e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new AttemptFailedException(Describe(e), e);
        }

        var storedRef = new StoredFileRef(link.Name, stored.Locator, request.Kind, stored.Url);
        string? mismatch = null;
        if (stored.Bytes != total)
        {
            mismatch = $"{link.Name} reported {stored.Bytes} bytes stored, {total} were sent";
        }
        else if (stored.Sha256 is not null && !string.Equals(stored.Sha256, spool.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            mismatch = $"{link.Name} reported a different SHA-256 than was sent";
        }
        else if (stored.Md5 is not null && spool.Md5 is not null && !string.Equals(stored.Md5, spool.Md5, StringComparison.OrdinalIgnoreCase))
        {
            mismatch = $"{link.Name} reported a different MD5 than was sent";
        }

        if (mismatch is not null)
        {
            await DeleteQuietlyAsync(link.Provider, storedRef);
            throw new AttemptFailedException(mismatch, null);
        }

        string url;
        try
        {
            url = string.IsNullOrEmpty(stored.Url) ? await link.Provider.GetPlaybackUrlAsync(storedRef, cancellationToken) : stored.Url;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await DeleteQuietlyAsync(link.Provider, storedRef);
            if (cancellationToken.IsCancellationRequested)
            {
                throw new UploadAbortedException(e);
            }

            throw new AttemptFailedException("stored, but no playback URL: " + Describe(e), e);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // The caller is gone and will never record this file: do not leave it behind.
            await DeleteQuietlyAsync(link.Provider, storedRef);
            throw new UploadAbortedException(new OperationCanceledException(cancellationToken));
        }

        return new StoredFile(link.Name, stored.Locator, url, total, request.ContentType, spool.Sha256!, request.Kind);
    }

    private async Task DeleteQuietlyAsync(IStorageProvider provider, StoredFileRef file)
    {
        using var cts = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await provider.DeleteAsync(file, cts.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort: the file is not referenced anywhere; the orphan sweep is the backstop.
            LogCleanupFailed(e, provider.Name, file.Locator);
        }
    }

    internal IStorageProvider ProviderFor(StoredFileRef file) =>
        _registered.GetValueOrDefault(file.Provider)
        ?? throw new InvalidOperationException($"No storage provider named '{file.Provider}' is registered.");

    private ChainLink NewLink(IStorageProvider provider) =>
        new(provider, _options.CircuitBreaker, _options.AttemptSettingsFor(provider.Name), _time);

    /// <summary>Messages shown in the attempt list: provider exceptions are written to be safe; anything else only by its type.</summary>
    private static string Describe(Exception e) => e switch
    {
        StorageProviderException p => p.Message,
        OperationCanceledException => "cancelled",
        _ => $"unexpected {e.GetType().Name}",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage attempt on {Provider} for {Key} failed: {Reason}")]
    private partial void LogAttemptFailed(Exception exception, string provider, string key, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Every storage provider failed for {Key} ({AttemptCount} attempts)")]
    private partial void LogAllFailed(string key, int attemptCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove {Locator} from {Provider} after a failed attempt")]
    private partial void LogCleanupFailed(Exception exception, string provider, string locator);
}

/// <param name="Link">Null when the provider is not configured (or not part of this build).</param>
internal sealed record ChainEntry(string Name, bool Configured, ChainLink? Link);

/// <summary>A provider that can find and abort uploads it started but never finished (S3 multipart uploads).</summary>
internal interface IAbandonedUploadSweeper
{
    Task<int> AbortAbandonedUploadsAsync(TimeSpan olderThan, CancellationToken cancellationToken);
}

/// <summary>A provider attempt failed: counts against its circuit, and the chain moves on.</summary>
internal sealed class AttemptFailedException(string message, Exception? innerException) : Exception(message, innerException);

/// <summary>The upload itself stopped (client gone, too large): not the provider's fault, the chain stops.</summary>
internal sealed class UploadAbortedException(Exception innerException)
    : Exception("The upload was aborted.", innerException);
