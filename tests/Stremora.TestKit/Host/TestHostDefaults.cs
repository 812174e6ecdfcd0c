namespace Stremora.TestKit.Host;

/// <summary>
/// What every test host is given unless its test says otherwise, in-process (<see cref="StremoraApiFactory"/>) and as a
/// process (<see cref="ApiProcess"/>) alike: no recurring job fires on the wall clock's schedule (a test runs a job when it
/// means to), and no poster frames. moto_server reports every multipart upload as initiated in 2010, so a sweep that fired
/// mid-test aborted the test's own S3 upload in flight (moto then answers 500 to its next part); a back-fill firing on its
/// own appended to streams a test was counting.
/// </summary>
public static class TestHostDefaults
{
    /// <summary>Hangfire's Cron.Never() (31 February): a recurring job a test host registers but never fires on its own.</summary>
    public const string NeverCron = "0 0 31 2 *";

    /// <summary>Configuration keys (<c>:</c>-separated) and their values.</summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Upload:SweepCron"] = NeverCron,
        ["Uploads:ExpirySweepCron"] = NeverCron,
        ["Storage:Rebalance:Cron"] = NeverCron,
        ["Storage:Reconcile:Cron"] = NeverCron,
        ["Media:BackfillCron"] = NeverCron,
        // Every upload is analysed; poster frames (one more stored file per upload) only where a test turns them on.
        ["Media:Posters"] = "false",
    };
}
