using System.Net;
using System.Net.Sockets;

namespace Stremora.Modules.Storage.Tests.S3;

/// <summary>
/// A TCP proxy that forwards requests at once but, on connections accepted while <see cref="Holding"/>
/// is set, keeps the server's answers back: the server has done the work, the client never hears of
/// it. That is a request "cancelled in flight" made deterministic.
/// </summary>
internal sealed class AnswerHoldingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public AnswerHoldingProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Loopback, target.Port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri BaseAddress => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Applies to connections accepted from now on.</summary>
    public bool Holding { get; set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ForwardAsync(client, Holding);
        }
    }

    private async Task ForwardAsync(TcpClient client, bool hold)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
                var toServer = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
                var toClient = hold ? Task.Delay(Timeout.Infinite, _stop.Token) : server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                await Task.WhenAny(toServer, toClient);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A connection ending is expected here.
            }
        }
    }
}
