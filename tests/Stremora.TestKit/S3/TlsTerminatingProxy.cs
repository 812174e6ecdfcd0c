using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Stremora.TestKit.S3;

/// <summary>
/// HTTPS in front of a plain-http server (moto_server), as real S3 is reached: TLS with a self-signed certificate for
/// 127.0.0.1, the bytes forwarded unchanged. A process trusts it through <c>SSL_CERT_FILE</c> =
/// <see cref="CertificateFile"/> (.NET on Linux reads its roots from there). It notes every
/// <c>x-amz-content-sha256</c> a client sent, which says whether a body was signed or sent as UNSIGNED-PAYLOAD.
/// </summary>
public sealed class TlsTerminatingProxy : IAsyncDisposable
{
    private const string ContentSha256Header = "x-amz-content-sha256:";

    // Longer than any header line searched for, so a line split across two reads is still found once.
    private const int Carry = 256;

    private readonly X509Certificate2 _certificate;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _contentHashes = new();
    private readonly Task _accepting;

    public TlsTerminatingProxy(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = new IPEndPoint(IPAddress.Loopback, target.Port);
        _certificate = CreateCertificate();
        CertificateFile = Path.Combine(Path.GetTempPath(), $"stremora-tls-{Guid.NewGuid():N}.pem");
        File.WriteAllText(CertificateFile, _certificate.ExportCertificatePem());
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>https://127.0.0.1:{port}: the S3 endpoint to hand a client.</summary>
    public Uri Endpoint => new($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>The certificate (PEM) a client must trust: <c>SSL_CERT_FILE</c> for a process.</summary>
    public string CertificateFile { get; }

    /// <summary>Every <c>x-amz-content-sha256</c> value sent through the proxy, in order.</summary>
    public IReadOnlyList<string> ContentHashes => [.. _contentHashes];

    /// <summary>A handler for this process's own clients (presigned URLs) that trusts exactly this certificate.</summary>
    public HttpClientHandler TrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == _certificate.Thumbprint,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
        _certificate.Dispose();
        File.Delete(CertificateFile);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));

        // Through PKCS#12 so the private key can serve TLS on Linux.
        return X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pkcs12), password: null);
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

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                await server.ConnectAsync(_target, _stop.Token);
                var upstream = server.GetStream();
                var requests = CopyAsync(tls, upstream, noteHeaders: true);
                var answers = CopyAsync(upstream, tls, noteHeaders: false);
                await Task.WhenAny(requests, answers);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
            {
                // A client or moto hung up: the connection ends, as it would without the proxy.
            }
        }
    }

    private async Task CopyAsync(Stream from, Stream to, bool noteHeaders)
    {
        var buffer = new byte[Carry + (64 * 1024)];
        var lowered = noteHeaders ? new byte[buffer.Length] : [];
        var carried = 0;
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer.AsMemory(carried, buffer.Length - carried), _stop.Token);
                if (read == 0)
                {
                    to.Close();
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(carried, read), _stop.Token);
                if (noteHeaders)
                {
                    carried = NoteHeaders(buffer, lowered, carried, carried + read);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            to.Close();
        }
    }

    /// <summary>Notes the header lines that end in the new bytes [<paramref name="fresh"/>, <paramref name="end"/>); keeps the last bytes for the next read.</summary>
    private int NoteHeaders(byte[] buffer, byte[] lowered, int fresh, int end)
    {
        // Header names are case-insensitive (the SDK writes X-Amz-Content-SHA256): searched in a lower-cased copy.
        var original = buffer.AsSpan(0, end);
        var text = lowered.AsSpan(0, end);
        for (var i = 0; i < end; i++)
        {
            // Every byte, bodies included (Ascii.ToLower stops at the first byte that is not ASCII).
            var b = original[i];
            text[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }

        var marker = Encoding.ASCII.GetBytes(ContentSha256Header);
        for (var at = 0; at < text.Length;)
        {
            var found = text[at..].IndexOf(marker);
            if (found < 0)
            {
                break;
            }

            var start = at + found + marker.Length;
            var lineEnd = text[start..].IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            if (start + lineEnd >= fresh)
            {
                _contentHashes.Enqueue(Encoding.ASCII.GetString(original.Slice(start, lineEnd)).Trim());
            }

            at = start + lineEnd;
        }

        var keep = Math.Min(Carry, end);
        buffer.AsSpan(end - keep, keep).CopyTo(buffer);
        return keep;
    }
}
