using System.Net;

namespace Stremora.TestKit.Streams;

/// <summary>
/// A video part that sends its first bytes at once and the rest only when released: the upload is then
/// certainly in flight (its spool file exists) while the test does what it must to it (kill its instance, start another).
/// </summary>
public sealed class HeldBodyContent(byte[] video, Task release) : HttpContent
{
    private const int FirstBytes = 64 * 1024;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await stream.WriteAsync(video.AsMemory(0, FirstBytes));
        await stream.FlushAsync();
        await release;
        await stream.WriteAsync(video.AsMemory(FirstBytes));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
