using System.Security.Cryptography;

namespace Stremora.Modules.Storage.Tests.Support;

/// <summary>Temp files of pseudo-random bytes, written in blocks so that big ones cost no memory.</summary>
internal sealed class TestFile : IDisposable
{
    private TestFile(string path, long length, string sha256)
    {
        Path = path;
        Length = length;
        Sha256 = sha256;
    }

    public string Path { get; }

    public long Length { get; }

    public string Sha256 { get; }

    public static TestFile Random(long length, int seed = 1)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"stremora-test-{Guid.NewGuid():N}.bin");
        var random = new Random(seed);
        var block = new byte[64 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var file = File.Create(path))
        {
            for (long written = 0; written < length; written += block.Length)
            {
                var size = (int)Math.Min(block.Length, length - written);
                random.NextBytes(block.AsSpan(0, size));
                file.Write(block, 0, size);
                hash.AppendData(block, 0, size);
            }
        }

        return new TestFile(path, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private CompletedFileSource? _source;

    /// <summary>The file as a provider is handed it; closed with the file.</summary>
    public CompletedFileSource Source() => _source ??= new(Path);

    public void Dispose()
    {
        _source?.Dispose();
        File.Delete(Path);
    }
}
