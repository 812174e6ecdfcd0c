using Microsoft.Extensions.Logging;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Failover;

/// <summary>The request's inspector, run on the complete spool beside the provider attempts (so it costs no extra pass over the bytes).</summary>
internal sealed partial class FailoverChain
{
    /// <summary>Waits for the writer, then asks the inspector; a refusal stops the attempts still running.</summary>
    private async Task<SpoolVerdict> InspectAsync(SpoolInspector inspect, SpoolTee spool, Task writer, string key, CancellationTokenSource upload)
    {
        // The writer's failure (client gone, too large) faults this too: the chain reports the writer's outcome.
        await writer;
        SpoolVerdict verdict;
        try
        {
            verdict = await inspect(spool.Path, upload.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !upload.IsCancellationRequested)
        {
            LogInspectionFailed(e, key);
            verdict = new SpoolVerdict.Refused("the file could not be inspected");
        }

        if (verdict is SpoolVerdict.Refused)
        {
            await upload.CancelAsync();
        }

        return verdict;
    }

    /// <returns>The inspector's refusal; null when it accepted, or never gave a verdict (the writer or the caller stopped first).</returns>
    private static async Task<SpoolVerdict.Refused?> RefusalAsync(Task<SpoolVerdict>? inspection)
    {
        if (inspection is null)
        {
            return null;
        }

        try
        {
            return await inspection as SpoolVerdict.Refused;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Inspecting the spooled file for {Key} failed; the file is refused")]
    private partial void LogInspectionFailed(Exception exception, string key);
}
