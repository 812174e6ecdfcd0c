using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Stremora.TestKit.Host;

/// <summary>
/// Keeps every log line the host writes at or above <paramref name="minimum"/> (message, exception with its stack
/// and inner exceptions, scopes ignored): what a test shows when the host answered something it should not have.
/// </summary>
public sealed class CapturedLogs(LogLevel minimum = LogLevel.Trace) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, minimum, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, LogLevel minimum, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            // The structured values too: a secret could sit in a property the message template leaves out.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
        }
    }
}
