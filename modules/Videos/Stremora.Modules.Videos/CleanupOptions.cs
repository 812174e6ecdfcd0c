namespace Stremora.Modules.Videos;

/// <summary>How stubbornly a stored file's removal is retried (<c>Cleanup:*</c>); reconciliation reads it to tell a stalled removal from one still retrying.</summary>
internal sealed class CleanupOptions
{
    public const string Section = "Cleanup";

    /// <summary>Hangfire's retries of a cleanup run that failed outside the provider (seconds): about 2.5 hours in all.</summary>
    public const int InfrastructureRetryWindowSeconds = 10 + 30 + 60 + 300 + 900 + 1800 + 3600 + 3600;

    /// <summary>Attempts before the job stays failed in the dashboard for an admin to retry.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Delay before the second attempt; it doubles for each one after.</summary>
    public int RetryDelaySeconds { get; set; } = 30;

    public int MaxRetryDelaySeconds { get; set; } = 3600;

    /// <summary>
    /// How long a removal may stay scheduled or retrying before reconciliation takes it for stalled and
    /// removes the file itself: every attempt's back-off, Hangfire's retries of a run, and an hour's slack.
    /// </summary>
    public TimeSpan RetryWindow =>
        TimeSpan.FromSeconds(Enumerable.Range(1, MaxAttempts).Sum(a => DelayAfter(a).TotalSeconds) + InfrastructureRetryWindowSeconds)
        + TimeSpan.FromHours(1);

    public TimeSpan DelayAfter(int attempt)
    {
        var seconds = RetryDelaySeconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryDelaySeconds));
    }
}
