using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;

namespace Stremora.Api.Platform;

/// <summary>
/// Hangfire jobs in traces and metrics. Enqueueing stores the current <c>traceparent</c> in the job's
/// parameters; running the job starts its own trace (a job may run minutes later, or again after a crash)
/// with a link to the one that enqueued it. Meter <c>Stremora.Jobs</c>: run durations by job type and outcome,
/// and a gauge of jobs per state (the cleanup backlog: enqueued, scheduled, failed).
/// </summary>
internal sealed class JobTelemetry : IClientFilter, IServerFilter
{
    public const string SourceName = "Stremora.Jobs";
    public const string MeterName = "Stremora.Jobs";
    private const string TraceParentParameter = "traceparent";
    private const string ActivityItem = "stremora.activity";
    private const string StartedItem = "stremora.started";

    private static readonly ActivitySource Source = new(SourceName);

    private readonly Histogram<double> _duration;

    public JobTelemetry(IMeterFactory meterFactory, JobStorage storage)
    {
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram(
            "stremora.job.duration",
            "s",
            "Duration of each background job run, by job type and outcome (succeeded, failed).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900] });
        meter.CreateObservableGauge("stremora.jobs", () => CountByState(storage), "{job}", "Background jobs per state (enqueued, scheduled, processing, failed).");
    }

    public void OnCreating(CreatingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Activity.Current is { } current)
        {
            context.SetJobParameter(TraceParentParameter, current.Id);
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var links = ActivityContext.TryParse(context.GetJobParameter<string>(TraceParentParameter), null, out var enqueuedBy)
            ? new[] { new ActivityLink(enqueuedBy) }
            : null;
        // A root of its own: a worker thread's leftover Activity.Current must not become the job's parent.
        Activity.Current = null;
        var activity = Source.StartActivity(ActivityKind.Consumer, parentContext: default, links: links, name: "job " + JobName(context.BackgroundJob.Job));
        activity?.SetTag("stremora.job.type", JobName(context.BackgroundJob.Job));
        context.Items[ActivityItem] = activity;
        context.Items[StartedItem] = Stopwatch.GetTimestamp();
    }

    public void OnPerformed(PerformedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var failed = context.Exception is not null && !context.ExceptionHandled;
        if (context.Items.TryGetValue(StartedItem, out var started) && started is long timestamp)
        {
            _duration.Record(
                Stopwatch.GetElapsedTime(timestamp).TotalSeconds,
                new KeyValuePair<string, object?>("job", JobName(context.BackgroundJob.Job)),
                new KeyValuePair<string, object?>("outcome", failed ? "failed" : "succeeded"));
        }

        if (context.Items.TryGetValue(ActivityItem, out var item) && item is Activity activity)
        {
            activity.SetStatus(failed ? ActivityStatusCode.Error : ActivityStatusCode.Ok, failed ? context.Exception!.GetType().Name : null);
            activity.Stop();
        }
    }

    private static string JobName(Job job) => job.Type.Name;

    private static IEnumerable<Measurement<long>> CountByState(JobStorage storage)
    {
        Hangfire.Storage.Monitoring.StatisticsDto statistics;
        try
        {
            statistics = storage.GetMonitoringApi().GetStatistics();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // PostgreSQL unreachable during a scrape: no figure beats a wrong one (readiness reports the outage).
            return [];
        }

        return
        [
            new(statistics.Enqueued, new KeyValuePair<string, object?>("state", "enqueued")),
            new(statistics.Scheduled, new KeyValuePair<string, object?>("state", "scheduled")),
            new(statistics.Processing, new KeyValuePair<string, object?>("state", "processing")),
            new(statistics.Failed, new KeyValuePair<string, object?>("state", "failed")),
        ];
    }
}

/// <summary>
/// Hangfire's global filters plus <see cref="JobTelemetry"/>, per host: adding it to the process-wide
/// GlobalJobFilters would trace every job twice when two hosts share a process (tests, side-by-side instances).
/// </summary>
internal sealed class HostJobFilterProvider(JobTelemetry telemetry) : IJobFilterProvider
{
    private readonly JobFilter _telemetry = new(telemetry, JobFilterScope.Global, null);

    public IEnumerable<JobFilter> GetFilters(Job job) => JobFilterProviders.Providers.GetFilters(job).Append(_telemetry);
}
