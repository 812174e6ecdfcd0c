using Microsoft.Win32.SafeHandles;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Tests.Support;

/// <summary>A spooled source whose file has fully arrived: enough to drive a provider without the real spool.</summary>
internal sealed class CompletedFileSource(string path) : ISpooledSource, IDisposable
{
    private readonly SafeFileHandle _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    private readonly long _length = new FileInfo(path).Length;

    public long? TotalLength => _length;

    public ValueTask<long> WaitForAsync(long offset, long count, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Math.Clamp(_length - offset, 0, count));

    // The spool's own window over a file: what providers are handed in production.
    public Stream OpenRange(long offset, long length) => new SpoolRangeStream(_file, offset, length);

    public void Dispose() => _file.Dispose();
}
