using System.Diagnostics;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// ActivitySource <c>Stremora.Storage</c>: one span per provider attempt, under the request (or job) that
/// stores the file; the provider's own HTTP calls nest inside it. Outcome and bytes are set by
/// <see cref="StorageMetrics"/>, which records the same facts on the metrics.
/// </summary>
internal static class StorageTelemetry
{
    public const string SourceName = "Stremora.Storage";
    public const string ProviderTag = "stremora.storage.provider";
    public const string FileTag = "stremora.storage.file";
    public const string OutcomeTag = "stremora.storage.outcome";
    public const string BytesTag = "stremora.storage.bytes";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartAttempt(string provider, StoredFileKind kind)
    {
        var activity = Source.StartActivity("storage attempt " + provider);
        activity?.SetTag(ProviderTag, provider);
        activity?.SetTag(FileTag, StorageMetrics.KindTag(kind));
        return activity;
    }

    /// <summary>The attempt span this code runs in, if any (another source's span is not ours to tag).</summary>
    internal static Activity? CurrentAttempt =>
        Activity.Current is { Source.Name: SourceName } current ? current : null;
}
