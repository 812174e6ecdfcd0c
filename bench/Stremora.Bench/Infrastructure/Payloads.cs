using System.Security.Cryptography;

namespace Stremora.Bench.Infrastructure;

/// <summary>
/// Upload payloads on disk: real videos of any size, the TestKit's clip then a <c>free</c> box of random bytes (so the
/// service's analysis accepts them and nothing can compress them).
/// </summary>
internal sealed class Payloads(string directory) : IDisposable
{
    public const long MiB = 1024 * 1024;

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
            var prefix = Samples.Mp4Prefix(bytes);
            file.Write(prefix);
            var buffer = new byte[4 * MiB];
            var left = bytes - prefix.Length;
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
