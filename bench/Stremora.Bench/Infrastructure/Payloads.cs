using System.Security.Cryptography;

namespace Stremora.Bench.Infrastructure;

/// <summary>Upload payloads on disk: an MP4 <c>ftyp</c> box (so the upload sniffer takes them for video) then random bytes.</summary>
internal sealed class Payloads(string directory) : IDisposable
{
    public const long MiB = 1024 * 1024;

    private static readonly byte[] FtypBox =
    [
        0x00, 0x00, 0x00, 0x20, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m',
        0x00, 0x00, 0x02, 0x00, (byte)'i', (byte)'s', (byte)'o', (byte)'m', (byte)'i', (byte)'s', (byte)'o', (byte)'2',
        (byte)'a', (byte)'v', (byte)'c', (byte)'1', (byte)'m', (byte)'p', (byte)'4', (byte)'1',
    ];

    private readonly Dictionary<long, string> _files = [];

    /// <summary>The payload of <paramref name="bytes"/> bytes, written on first use (random, so nothing can compress it).</summary>
    public string Get(long bytes)
    {
        if (_files.TryGetValue(bytes, out var existing))
        {
            return existing;
        }

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"payload-{bytes}.mp4");
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(FtypBox);
            var buffer = new byte[4 * MiB];
            var left = bytes - FtypBox.Length;
            while (left > 0)
            {
                var n = (int)Math.Min(buffer.Length, left);
                RandomNumberGenerator.Fill(buffer.AsSpan(0, n));
                file.Write(buffer, 0, n);
                left -= n;
            }
        }

        _files[bytes] = path;
        return path;
    }

    public void Dispose()
    {
        foreach (var path in _files.Values)
        {
            File.Delete(path);
        }

        _files.Clear();
    }
}
