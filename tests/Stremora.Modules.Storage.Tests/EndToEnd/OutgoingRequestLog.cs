using System.Collections.Concurrent;
using System.Diagnostics;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

/// <summary>
/// Records the method and URI of every HttpClient request this process sends to one port, through
/// the runtime's own "HttpHandlerDiagnosticListener" events: lets a test see which S3 calls the
/// service made (initiate, part, abort) without trusting the service's account of them.
/// </summary>
internal sealed class OutgoingRequestLog : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly int _port;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly List<IDisposable> _subscriptions = [];

    private OutgoingRequestLog(int port)
    {
        _port = port;
    }

    /// <summary>"METHOD path?query" of each request sent to the port, in order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public static OutgoingRequestLog To(int port)
    {
        var log = new OutgoingRequestLog(port);
        lock (log._subscriptions)
        {
            log._subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(log));
        }

        return log;
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
            _subscriptions.Clear();
        }
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener value)
    {
        if (value.Name == "HttpHandlerDiagnosticListener")
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != "System.Net.Http.HttpRequestOut.Start" || value.Value is null)
        {
            return;
        }

        if (value.Value.GetType().GetProperty("Request")?.GetValue(value.Value) is HttpRequestMessage { RequestUri: { } uri } request && uri.Port == _port)
        {
            _requests.Enqueue($"{request.Method} {uri.PathAndQuery}");
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }
}
