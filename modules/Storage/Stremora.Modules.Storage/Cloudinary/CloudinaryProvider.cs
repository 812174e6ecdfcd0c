using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Cloudinary;

/// <summary>Stores files on Cloudinary through its REST Upload API (signed requests, chunked for anything over one chunk).</summary>
internal sealed class CloudinaryProvider(
    HttpClient http,
    IOptions<CloudinaryOptions> options,
    TimeProvider clock,
    ILogger<CloudinaryProvider> logger) : IStorageProvider
{
    public const string ProviderName = "cloudinary";

    /// <summary>Marks requests the resilience handler may retry: destroys only, never uploads (their bodies are streams).</summary>
    public static readonly HttpRequestOptionsKey<bool> Retryable = new("stremora.cloudinary.retryable");

    private readonly CloudinaryOptions _options = options.Value;

    public string Name => ProviderName;

    public bool IsConfigured => _options.IsConfigured;

    public bool ReportsMd5 => true;

    public async Task<ProviderStoredFile> UploadAsync(ProviderUpload upload, ISpooledSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(source);
        EnsureConfigured();

        var resourceType = ResourceTypeOf(upload.Kind);
        var publicId = string.IsNullOrEmpty(_options.Folder) ? upload.Key : $"{_options.Folder}/{upload.Key}";
        var fileName = Path.GetFileName(upload.Key) is { Length: > 0 } name ? name : "file";
        string? uploadId = null;

        // Cloudinary joins the chunks of one upload by their ranges: the first goes alone (it opens the upload), the
        // ones between it and the last up to Storage:Cloudinary:ConcurrentChunks at a time (each straight from its spool
        // range), and the last only once every other has been answered, as Cloudinary requires.
        using var chunks = new PartUploads<bool>(_options.ConcurrentChunks, cancellationToken);
        try
        {
            await foreach (var chunk in source.ChunksAsync(_options.ChunkSizeBytes, chunks.Token))
            {
                if (chunk.IsLast && chunk.Offset == 0)
                {
                    var single = await SendChunkAsync(resourceType, publicId, fileName, upload.ContentType, source, chunk, uploadId: null, contentRange: null, cancellationToken);
                    return await AcceptResultAsync(single, resourceType, publicId, sent: chunk.Total!.Value, cancellationToken);
                }

                // Cloudinary discards uploads that never finish.
                var id = uploadId ??= Guid.NewGuid().ToString("N");
                if (chunk.IsLast)
                {
                    await chunks.AllAsync();
                    var range = $"bytes {chunk.Offset}-{chunk.Offset + chunk.Length - 1}/{chunk.Total!.Value.ToString(CultureInfo.InvariantCulture)}";
                    var body = await SendChunkAsync(resourceType, publicId, fileName, upload.ContentType, source, chunk, id, range, cancellationToken);
                    return await AcceptResultAsync(body, resourceType, publicId, sent: chunk.Total!.Value, cancellationToken);
                }

                var send = MiddleChunk(resourceType, publicId, fileName, upload.ContentType, source, chunk, id);
                if (chunk.Offset == 0)
                {
                    await send(chunks.Token);
                    continue;
                }

                await chunks.StartAsync(send);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failed chunk stops the others; the first real failure (not the cancellations it caused) is reported.
            var failure = await chunks.StopAsync(e);
            ExceptionDispatchInfo.Throw(failure);
        }

        throw new InvalidOperationException("The spooled source ended without a last chunk.");
    }

    /// <summary>A chunk that is not the last: its answer only has to be Cloudinary's JSON (the total is not known yet).</summary>
    private Func<CancellationToken, Task<bool>> MiddleChunk(
        string resourceType, string publicId, string fileName, string contentType, ISpooledSource source, SpoolChunk chunk, string uploadId) =>
        async token =>
        {
            var range = $"bytes {chunk.Offset}-{chunk.Offset + chunk.Length - 1}/-1";
            var body = await SendChunkAsync(resourceType, publicId, fileName, contentType, source, chunk, uploadId, range, token);
            return CloudinaryUploadResult.IsJsonObject(body) ? true : throw CloudinaryErrors.Unreadable("a chunk answer that is not JSON");
        };

    public async Task DeleteAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        EnsureConfigured();
        await DestroyAsync(ResourceTypeOf(file.Kind), file.Locator, cancellationToken);
    }

    public Task<string> GetPlaybackUrlAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.ProviderUrl is { Length: > 0 } url
            ? Task.FromResult(url)
            : throw new StorageProviderException(ProviderName, $"no cloudinary URL was recorded for {file.Locator}", isTransient: false);
    }

    private static string ResourceTypeOf(StoredFileKind kind) => kind switch
    {
        StoredFileKind.Video => "video",
        StoredFileKind.Thumbnail or StoredFileKind.Image => "image",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private async Task<string> SendChunkAsync(
        string resourceType,
        string publicId,
        string fileName,
        string contentType,
        ISpooledSource source,
        SpoolChunk chunk,
        string? uploadId,
        string? contentRange,
        CancellationToken cancellationToken)
    {
        var signed = Signed([new("public_id", publicId)]);
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in signed)
        {
            form.Add(new StringContent(value), name);
        }

        // Sent straight from the spool file: a chunk is never held in memory.
        var file = new StreamContent(source.OpenRange(chunk.Offset, chunk.Length), 81920);
        file.Headers.ContentLength = chunk.Length;
        file.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType, out var type) ? type : new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);

        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint(resourceType, "upload")) { Content = form };
        if (uploadId is not null)
        {
            request.Headers.Add("X-Unique-Upload-Id", uploadId);
            form.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        }

        return await SendAsync(request, signed["signature"], cancellationToken);
    }

    private async Task<ProviderStoredFile> AcceptResultAsync(string body, string resourceType, string publicId, long sent, CancellationToken cancellationToken)
    {
        var result = CloudinaryUploadResult.TryParse(body);
        if (result is null)
        {
            // It may have stored the file even so: remove it rather than leave an orphan.
            await DestroyQuietlyAsync(resourceType, publicId, cancellationToken);
            throw CloudinaryErrors.Unreadable("an upload result that is not the expected JSON");
        }

        if (result.Bytes != sent)
        {
            await DestroyQuietlyAsync(resourceType, result.PublicId, cancellationToken);
            throw new StorageProviderException(ProviderName, $"cloudinary reported {result.Bytes} bytes stored but {sent} were sent", isTransient: true);
        }

        // The etag is the MD5 of what Cloudinary stored: the chain compares it with the spool's (an answer without one is taken on its size).
        return new ProviderStoredFile(result.PublicId, result.SecureUrl, result.Bytes, Md5: result.Md5Etag);
    }

    private async Task DestroyAsync(string resourceType, string publicId, CancellationToken cancellationToken)
    {
        var signed = Signed([new("public_id", publicId), new("type", "upload"), new("invalidate", "true")]);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint(resourceType, "destroy"))
        {
            Content = new FormUrlEncodedContent(signed),
        };
        request.Options.Set(Retryable, true);

        var body = await SendAsync(request, signed["signature"], cancellationToken);
        var result = DestroyResult(body);
        if (result is not ("ok" or "not found"))
        {
            throw new StorageProviderException(ProviderName, $"cloudinary could not destroy {publicId}: {result ?? "unreadable answer"}", isTransient: true);
        }
    }

    private async Task DestroyQuietlyAsync(string resourceType, string publicId, CancellationToken cancellationToken)
    {
        try
        {
            await DestroyAsync(resourceType, publicId, cancellationToken);
        }
        catch (StorageProviderException ex)
        {
            logger.LogWarning("Could not remove rejected Cloudinary upload {PublicId}: {Error}", publicId, ex.Message);
        }
    }

    private static string? DestroyResult(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("result", out var result)
                && result.ValueKind == JsonValueKind.String
                ? result.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<string> SendAsync(HttpRequestMessage request, string signature, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            throw CloudinaryErrors.Unreadable("nothing in time", ex);
        }
        catch (HttpRequestException ex)
        {
            throw CloudinaryErrors.Unreachable(ex);
        }
        catch (Polly.Timeout.TimeoutRejectedException ex)
        {
            throw CloudinaryErrors.Unreadable("nothing in time", ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw CloudinaryErrors.FromResponse(response.StatusCode, body, _options.ApiSecret, signature);
            }

            return body;
        }
    }

    /// <summary>Adds timestamp, api_key and the signature over everything sent.</summary>
    private Dictionary<string, string> Signed(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var all = new Dictionary<string, string>(parameters, StringComparer.Ordinal)
        {
            ["timestamp"] = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        var signature = CloudinarySigner.Sign(all.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), _options.ApiSecret!, _options.SignatureAlgorithm);
        all["api_key"] = _options.ApiKey!;
        all["signature"] = signature;
        return all;
    }

    private Uri Endpoint(string resourceType, string action) =>
        new(_options.BaseAddress, $"v1_1/{Uri.EscapeDataString(_options.CloudName!)}/{resourceType}/{action}");

    private void EnsureConfigured()
    {
        if (!_options.IsConfigured)
        {
            throw new StorageProviderException(ProviderName, "cloudinary is not configured", isTransient: false);
        }
    }
}
