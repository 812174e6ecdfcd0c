using System.Net;
using System.Net.Sockets;
using Stremora.TestKit.Faults;

namespace Stremora.ReliabilityTests.Faults;

/// <summary>
/// The fault proxy the outage tests stand on: going down resets every forwarded connection and refuses new ones,
/// also when forwarded connections close on their own meanwhile (a connection pool pruning its idle connections).
/// </summary>
public sealed class TcpFaultProxyTests
{
    [Fact]
    public async Task Going_down_while_connections_are_closing_resets_them_and_refuses_new_ones()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        await using var proxy = new TcpFaultProxy("127.0.0.1", ((IPEndPoint)server.LocalEndpoint).Port);
        var clients = new List<TcpClient>();
        for (var i = 0; i < 16; i++)
        {
            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
            using var accepted = await server.AcceptTcpClientAsync();
            clients.Add(client);
        }

        try
        {
            // The first call resets every connection; their forwarding ends a moment later, so the second call meets
            // connections that are already closed but not yet forgotten.
            proxy.GoDown();
            proxy.GoDown();

            foreach (var client in clients)
            {
                var read = await ReadOrResetAsync(client);
                Assert.True(read <= 0, $"a forwarded connection still carried {read} bytes after the proxy went down");
            }

            var refusedBefore = proxy.Refused;
            Assert.True(await ConnectAndReadAsync(proxy.Port) <= 0, "a connection made while down was forwarded");
            await Eventually.UntilAsync(() => Task.FromResult(proxy.Refused > refusedBefore), "the proxy counts the refused connection");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>As <see cref="ReadOrResetAsync"/>, for a new connection; -1 also when the reset comes while it is being made.</summary>
    private static async Task<int> ConnectAndReadAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
        }
        catch (SocketException)
        {
            return -1;
        }

        return await ReadOrResetAsync(client);
    }

    /// <summary>0 at end of stream, -1 when reset, else the bytes read.</summary>
    private static async Task<int> ReadOrResetAsync(TcpClient client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await client.GetStream().ReadAsync(new byte[16], timeout.Token);
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
