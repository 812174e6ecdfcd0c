using Polly;
using Polly.CircuitBreaker;

namespace Stremora.Modules.Storage.Failover;

/// <summary>One provider in the chain with its circuit breaker, attempt limits and counters.</summary>
internal sealed class ChainLink
{
    private readonly TimeProvider _time;
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly CircuitBreakerManualControl _control = new();
    private readonly bool _countsConsecutiveFailures;
    private DateTimeOffset _blockedUntil;

    public ChainLink(IStorageProvider provider, CircuitBreakerSettings breaker, ProviderAttemptSettings attempt, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        Provider = provider;
        Attempt = attempt;
        _time = time;
        Stats = new ProviderStats(time);
        _countsConsecutiveFailures = breaker.FailureRatio >= 1.0;
        Pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(breaker.SamplingDurationSeconds),
                BreakDuration = TimeSpan.FromSeconds(breaker.BreakDurationSeconds),
                StateProvider = _state,
                ManualControl = _control,

                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && CountsAgainstProvider(e, args.Context.CancellationToken)),
                OnOpened = args =>
                {
                    _blockedUntil = _time.GetUtcNow() + args.BreakDuration;
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public IStorageProvider Provider { get; }

    /// <summary>
    /// A client that aborts or sends too much, or a provider refusing one bad file (a 4xx), says nothing about the provider's health, but Polly has no
    /// neutral outcome: an unhandled one is recorded as a success. Closed, that is the lesser harm (counting
    /// it would let clients open the circuit). Half-open it would close the circuit on a probe that proved
    /// nothing, so there it counts as a failure: the circuit stays open for another break and the next
    /// upload after it probes again.
    /// </summary>
    private bool CountsAgainstProvider(Exception e, CancellationToken caller)
    {
        var notTheProvider = e is UploadAbortedException or AttemptFailedException { ProviderFault: false }
            || (e is OperationCanceledException && caller.IsCancellationRequested);
        return !notTheProvider || _state.CircuitState == Polly.CircuitBreaker.CircuitState.HalfOpen;
    }

    public string Name => Provider.Name;

    public ProviderAttemptSettings Attempt { get; }

    public ResiliencePipeline Pipeline { get; }

    public ProviderStats Stats { get; }

    /// <summary>
    /// After an attempt stored a file. With FailureRatio 1 (the default) the circuit must open after
    /// MinimumThroughput consecutive failures, but Polly counts over its whole sampling window, so one
    /// success minutes ago would hold the circuit closed through an outage until it aged out. Closing a
    /// closed circuit only clears that window, which makes the count consecutive.
    /// </summary>
    public async ValueTask RecordSuccessAsync()
    {
        Stats.RecordSuccess();
        if (_countsConsecutiveFailures && _state.CircuitState == Polly.CircuitBreaker.CircuitState.Closed)
        {
            // Should a failure racing in have opened it meanwhile, this success is reason enough to close it again.
            await _control.CloseAsync();
        }
    }

    /// <summary>After an attempt the provider refused for the file itself (a 4xx): like an abort, it restarts the count.</summary>
    public ValueTask RecordNotTheProvidersFaultAsync() => RecordAbortedAsync();

    /// <summary>
    /// After an attempt the client abandoned while the circuit was closed. Polly has recorded it as a success
    /// in its window, where with FailureRatio 1 it would hold the circuit closed through an outage until it aged
    /// out (SamplingDurationSeconds, 5 min by default). Clearing the window instead makes the abort what a
    /// success is in the consecutive count: a restart of the count, not a five-minute veto.
    /// </summary>
    public async ValueTask RecordAbortedAsync()
    {
        // A failure racing in may open the circuit between the check and the reset; an abort closing it again
        // costs at most MinimumThroughput more failures, the same as the count restarting.
        if (_countsConsecutiveFailures && _state.CircuitState == Polly.CircuitBreaker.CircuitState.Closed)
        {
            await _control.CloseAsync();
        }
    }

    /// <summary>
    /// closed, open or half-open. Polly only leaves Open when the next call arrives; once the break has
    /// elapsed that call will be let through as a probe, so report it as half-open already.
    /// </summary>
    public string CircuitState => _state.CircuitState switch
    {
        Polly.CircuitBreaker.CircuitState.Closed => CircuitStates.Closed,
        Polly.CircuitBreaker.CircuitState.HalfOpen => CircuitStates.HalfOpen,
        Polly.CircuitBreaker.CircuitState.Open when _time.GetUtcNow() >= _blockedUntil => CircuitStates.HalfOpen,
        _ => CircuitStates.Open,
    };
}

internal static class CircuitStates
{
    public const string Closed = "closed";
    public const string Open = "open";
    public const string HalfOpen = "half-open";
}

/// <summary>
/// Per-instance counters (each API instance keeps its own; good enough for an operator's glance,
/// the metrics are the fleet-wide view). "Recent" means the last 15 minutes.
/// </summary>
internal sealed class ProviderStats(TimeProvider time)
{
    private static readonly TimeSpan RecentWindow = TimeSpan.FromMinutes(15);
    private const int MaxRemembered = 1000;

    private readonly Lock _gate = new();
    private readonly Queue<(DateTimeOffset At, bool Success)> _recent = new();
    private long _filesStored;

    public void RecordSuccess()
    {
        lock (_gate)
        {
            _filesStored++;
            Remember(true);
        }
    }

    public void RecordFailure(string error)
    {
        lock (_gate)
        {
            LastError = error;
            LastFailureAt = time.GetUtcNow();
            Remember(false);
        }
    }

    public string? LastError { get; private set; }

    public DateTimeOffset? LastFailureAt { get; private set; }

    public (int Successes, int Failures, long FilesStored) Snapshot()
    {
        lock (_gate)
        {
            Prune();
            var successes = _recent.Count(r => r.Success);
            return (successes, _recent.Count - successes, _filesStored);
        }
    }

    private void Remember(bool success)
    {
        _recent.Enqueue((time.GetUtcNow(), success));
        Prune();
    }

    private void Prune()
    {
        var cutoff = time.GetUtcNow() - RecentWindow;
        while (_recent.Count > 0 && (_recent.Count > MaxRemembered || _recent.Peek().At < cutoff))
        {
            _recent.Dequeue();
        }
    }
}
