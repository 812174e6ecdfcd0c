using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Failover;

/// <summary>One provider attempt of the chain: its circuit, its time limits, and the verification of what it stored.</summary>
internal sealed partial class FailoverChain
{
    /// <returns>The attempt (with the stored file when it succeeded), or <see cref="AttemptEnd.UploadAborted"/> when the upload itself stopped.</returns>
    private async Task<AttemptEnd> AttemptAsync(
        ChainLink link,
        StoreFileRequest request,
        ProviderUpload target,
        SpoolTee spool,
        CancellationToken cancellationToken)
    {
        using var span = StorageTelemetry.StartAttempt(link.Name, request.Kind);
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
            return new AttemptEnd.Tried(new StorageAttempt(request.Kind, link.Name, AttemptOutcomes.Stored, null, (long)elapsed.TotalMilliseconds), stored);
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
            // The inner exception carries the details (the provider's own text, the address) to the log only.
            LogAttemptFailed(e.InnerException ?? e, link.Name, request.Key, e.Message);
            if (!e.ProviderFault)
            {
                await link.RecordNotTheProvidersFaultAsync();
            }
        }
        catch (Exception e) when (e is UploadAbortedException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            _metrics.Attempted(link.Name, "aborted", _time.GetElapsedTime(started).TotalMilliseconds);
            await link.RecordAbortedAsync();
            return new AttemptEnd.UploadAborted();
        }

        var ms = _time.GetElapsedTime(started).TotalMilliseconds;
        _metrics.Attempted(link.Name, outcome, ms);
        return new AttemptEnd.Tried(new StorageAttempt(request.Kind, link.Name, outcome, error, (long)ms), null);
    }

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
        var source = new AttemptSource(spool, _time, hashesMd5: link.Provider.ReportsMd5);
        var started = _time.GetTimestamp();
        var overall = TimeSpan.FromSeconds(link.Attempt.TimeoutSeconds);
        var idle = TimeSpan.FromSeconds(link.Attempt.IdleTimeoutSeconds);
        string? timedOut = null;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 4, 10, 1000));
        await using var watchdog = _time.CreateTimer(
            _ =>
            {
                // The provider's time only: waiting for a slow client's bytes is not the provider's fault.
                var reason = _time.GetElapsedTime(started) - source.WaitedForClient > overall ? $"timed out after {overall.TotalSeconds:0.###} s"
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
            total = await source.WaitForAsync(0, long.MaxValue, attemptCts.Token);
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
            throw new AttemptFailedException(Describe(e), e, SaysSomethingAboutTheProvider(e));
        }

        var storedRef = new StoredFile(link.Name, stored.Locator, request.Kind, stored.Url);
        string? mismatch = null;
        if (stored.Bytes != total)
        {
            mismatch = $"{link.Name} reported {stored.Bytes} bytes stored, {total} were sent";
        }
        else if (stored.Sha256 is not null && !string.Equals(stored.Sha256, spool.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            mismatch = $"{link.Name} reported a different SHA-256 than was sent";
        }
        else if (stored.Md5 is not null && !string.Equals(stored.Md5, await spool.Md5Async().WaitAsync(cancellationToken), StringComparison.OrdinalIgnoreCase))
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

            throw new AttemptFailedException("stored, but no playback URL: " + Describe(e), e, SaysSomethingAboutTheProvider(e));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // The caller is gone and will never record this file: do not leave it behind.
            await DeleteQuietlyAsync(link.Provider, storedRef);
            throw new UploadAbortedException(new OperationCanceledException(cancellationToken));
        }

        return new StoredFile(link.Name, stored.Locator, request.Kind, url, total, request.ContentType, spool.Sha256!);
    }

    private async Task DeleteQuietlyAsync(IStorageProvider provider, StoredFile file)
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

    /// <summary>
    /// A provider's refusal of this one file (bad file, bad request) is not an outage. What counts against its
    /// circuit: failures that may pass (5xx, 420/429, timeouts, connection failures), refusals of every upload
    /// (bad credentials, a missing bucket) and anything unexpected.
    /// </summary>
    private static bool SaysSomethingAboutTheProvider(Exception e) => e is not StorageProviderException { RefusedTheFile: true };

    /// <summary>Messages shown in the attempt list: provider exceptions are written to be safe; anything else only by its type.</summary>
    private static string Describe(Exception e) => e switch
    {
        StorageProviderException p => p.PublicMessage,
        OperationCanceledException => "cancelled",
        _ => $"unexpected {e.GetType().Name}",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage attempt on {Provider} for {Key} failed: {Reason}")]
    private partial void LogAttemptFailed(Exception exception, string provider, string key, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The spool could not hold the upload of {Key}; it was refused")]
    private partial void LogSpoolFailed(Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Every storage provider failed for {Key} ({AttemptCount} attempts)")]
    private partial void LogAllFailed(string key, int attemptCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove {Locator} from {Provider} after a failed attempt")]
    private partial void LogCleanupFailed(Exception exception, string provider, string locator);
}

/// <summary>How one provider attempt ended: tried (stored, failed or skipped), or stopped because the upload itself did.</summary>
internal abstract record AttemptEnd
{
    /// <param name="Stored">The verified file when the attempt stored it; null when it failed or was skipped.</param>
    public sealed record Tried(StorageAttempt Attempt, StoredFile? Stored) : AttemptEnd;

    public sealed record UploadAborted : AttemptEnd;
}

/// <summary>A provider attempt failed and the chain moves on; it counts against the provider's circuit when <see cref="ProviderFault"/>.</summary>
internal sealed class AttemptFailedException(string message, Exception? innerException, bool providerFault = true) : Exception(message, innerException)
{
    public bool ProviderFault { get; } = providerFault;
}

/// <summary>The upload itself stopped (client gone, too large): not the provider's fault, the chain stops.</summary>
internal sealed class UploadAbortedException(Exception innerException)
    : Exception("The upload was aborted.", innerException);
