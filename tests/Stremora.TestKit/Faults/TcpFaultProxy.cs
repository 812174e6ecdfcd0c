using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Stremora.TestKit.Faults;

public enum TcpFault
{
    /// <summary>Forward bytes both ways untouched.</summary>
    None,

    /// <summary>Accept, then reset at once: what a client sees as "connection refused/reset".</summary>
    Refuse,

    /// <summary>Accept and swallow the request; never answer.</summary>
    Hang,

    /// <summary>Forward <see cref="TcpFaultProxy.CutAfterBytes"/> request bytes, then reset both sides mid-stream.</summary>
    CutMidStream,
}

/// <summary>
/// A small TCP proxy on loopback in front of a real server (moto_server, the fake Cloudinary) that can
/// refuse, hang or cut connections, so tests can break a dependency at the network level.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentDictionary<TcpClient, TcpClient> _forwarding = new();
    private int _connections;
    private int _refused;

    public TcpFaultProxy(string targetHost, int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Parse(targetHost == "localhost" ? "127.0.0.1" : targetHost), targetPort);
        _listener.Start();
        _acceptLoop = AcceptAsync(_stop.Token);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>The fault applied to connections accepted from now on.</summary>
    public TcpFault Fault { get; set; }

    public long CutAfterBytes { get; set; } = 64 * 1024;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections refused so far (lets a test wait until something has met the outage).</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>"The server is gone": refuses new connections and resets the open ones. Set <see cref="Fault"/> back to <see cref="TcpFault.None"/> to bring it back.</summary>
    public void GoDown()
    {
        Fault = TcpFault.Refuse;
        foreach (var (client, upstream) in _forwarding)
        {
            Reset(client);
            Reset(upstream);
        }
    }

    /// <summary>The server is back: connections are forwarded again.</summary>
    public void ComeBack() => Fault = TcpFault.None;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Resets one side of a forwarded connection, unless it closed meanwhile (its socket then is gone or disposed).</summary>
    private static void Reset(TcpClient connection)
    {
        if (connection.Client is not { } socket)
        {
            return;
        }

        try
        {
            socket.LingerState = new LingerOption(true, 0); // RST, not FIN
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        connection.Dispose();
    }

    private async Task AcceptAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = HandleAsync(client, Fault, stop);
        }
    }

    private async Task HandleAsync(TcpClient client, TcpFault fault, CancellationToken stop)
    {
        using (client)
        {
            try
            {
                switch (fault)
                {
                    case TcpFault.Refuse:
                        Interlocked.Increment(ref _refused);
                        client.Client.LingerState = new LingerOption(true, 0); // RST, not FIN
                        return;
                    case TcpFault.Hang:
                        await DrainAsync(client.GetStream(), stop);
                        return;
                    default:
                        await ForwardAsync(client, fault == TcpFault.CutMidStream ? CutAfterBytes : long.MaxValue, stop);
                        return;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A broken connection is the point of this class.
            }
        }
    }

    private static async Task DrainAsync(NetworkStream stream, CancellationToken stop)
    {
        var buffer = new byte[81920];
        while (await stream.ReadAsync(buffer, stop) > 0)
        {
        }
    }

    private async Task ForwardAsync(TcpClient client, long requestByteBudget, CancellationToken stop)
    {
        using var upstream = new TcpClient();
        _forwarding[client] = upstream;
        try
        {
            await upstream.ConnectAsync(_target, stop);
            await PipeAsync(client, upstream, requestByteBudget, stop);
        }
        finally
        {
            _forwarding.TryRemove(client, out _);
        }
    }

    private static async Task PipeAsync(TcpClient client, TcpClient upstream, long requestByteBudget, CancellationToken stop)
    {
        using var link = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var clientStream = client.GetStream();
        var upstreamStream = upstream.GetStream();
        var toServer = CopyAsync(clientStream, upstreamStream, requestByteBudget, link.Token);
        var toClient = CopyAsync(upstreamStream, clientStream, long.MaxValue, link.Token);
        var first = await Task.WhenAny(toServer, toClient);
        if (first == toServer && await toServer == CopyEnd.BudgetSpent)
        {
            client.Client.LingerState = new LingerOption(true, 0);
            upstream.Client.LingerState = new LingerOption(true, 0);
            await link.CancelAsync();
            return;
        }

        // One side finished normally: let the other finish too.
        if (first == toServer)
        {
            upstream.Client.Shutdown(SocketShutdown.Send);
        }
        else
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        await Task.WhenAll(toServer, toClient);
    }

    private enum CopyEnd
    {
        Eof,
        BudgetSpent,
    }

    private static async Task<CopyEnd> CopyAsync(Stream from, Stream to, long budget, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long sent = 0;
        while (true)
        {
            var read = await from.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return CopyEnd.Eof;
            }

            var allowed = (int)Math.Min(read, budget - sent);
            await to.WriteAsync(buffer.AsMemory(0, allowed), cancellationToken);
            sent += allowed;
            if (sent >= budget)
            {
                return CopyEnd.BudgetSpent;
            }
        }
    }
}
