using System.Net.Sockets;
using System.Text;

namespace Stremora.ReliabilityTests.Infrastructure;

/// <summary>HTTP/1.1 over a bare socket: for requests no HttpClient will send (headers without their body, a stalled body).</summary>
public sealed class RawHttp : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream _stream = null!;

    public static async Task<RawHttp> ConnectAsync(Uri server)
    {
        var raw = new RawHttp();
        await raw._tcp.ConnectAsync(server.Host, server.Port);
        raw._stream = raw._tcp.GetStream();
        return raw;
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads one response (status line, headers, and a body framed by Content-Length or chunked), or until the server closes.</summary>
    public async Task<RawResponse> ReadResponseAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (true)
        {
            var text = Encoding.UTF8.GetString(buffer.ToArray());
            if (RawResponse.TryParse(text, out var response))
            {
                return response!;
            }

            int n;
            try
            {
                n = await _stream.ReadAsync(chunk, timeout.Token);
            }
            catch (IOException) when (buffer.Length > 0)
            {
                n = 0;
            }

            if (n == 0)
            {
                return RawResponse.TryParse(text, out response, complete: true) ? response! : throw new IOException("The server closed the connection without a response: " + text);
            }

            buffer.Write(chunk, 0, n);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _tcp.Dispose();
    }
}

public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? ContentType => Headers.TryGetValue("content-type", out var value) ? value.Split(';')[0].Trim() : null;

    public static bool TryParse(string text, out RawResponse? response, bool complete = false)
    {
        response = null;
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim(), StringComparer.Ordinal);
        var rest = text[(end + 4)..];
        string body;
        if (headers.TryGetValue("content-length", out var length))
        {
            var bytes = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            if (Encoding.UTF8.GetByteCount(rest) < bytes)
            {
                return false;
            }

            body = rest;
        }
        else if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            if (!rest.Contains("\r\n0\r\n\r\n", StringComparison.Ordinal) && !rest.StartsWith("0\r\n\r\n", StringComparison.Ordinal))
            {
                return false;
            }

            body = Dechunk(rest);
        }
        else
        {
            if (!complete)
            {
                return false;
            }

            body = rest;
        }

        response = new RawResponse(status, headers, body);
        return true;
    }

    private static string Dechunk(string chunked)
    {
        var result = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[position..lineEnd].Split(';')[0], 16);
            if (size == 0)
            {
                return result.ToString();
            }

            result.Append(chunked, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }
}
