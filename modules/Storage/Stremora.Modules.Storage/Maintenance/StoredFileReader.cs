using System.Net;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Maintenance;

/// <summary>
/// Opens a stored file for reading as a stream (never buffered): directly when its provider can
/// (<see cref="IStoredFileOpener"/>: local disk), otherwise from the playback URL its provider gives
/// (Cloudinary's secure_url, an S3 presigned GET).
/// </summary>
internal sealed class StoredFileReader(HttpClient http, IEnumerable<IStoredFileOpener> openers)
{
    private readonly Dictionary<string, IStoredFileOpener> _openers = openers.ToDictionary(o => o.Provider, StringComparer.Ordinal);

    public async Task<Stream> OpenReadAsync(IStorageProvider provider, StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(file);
        if (_openers.TryGetValue(provider.Name, out var opener))
        {
            return opener.OpenRead(file);
        }

        var url = await provider.GetPlaybackUrlAsync(file, cancellationToken);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new StorageProviderException(provider.Name, "the provider gave no absolute URL to read the file from", isTransient: false);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new StorageProviderException(provider.Name, $"reading the stored file from {provider.Name} failed", isTransient: true, e);
        }

        if (!response.IsSuccessStatusCode)
        {
            var status = response.StatusCode;
            response.Dispose();
            throw new StorageProviderException(
                provider.Name,
                status == HttpStatusCode.NotFound ? "the stored file is missing" : $"reading the stored file answered {(int)status}",
                isTransient: status != HttpStatusCode.NotFound);
        }

        return new ResponseStream(response, await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    /// <summary>The body stream that also disposes its response.</summary>
    private sealed class ResponseStream(HttpResponseMessage response, Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
