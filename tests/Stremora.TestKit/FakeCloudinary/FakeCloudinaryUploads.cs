using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Stremora.TestKit.FakeCloudinary;

/// <summary>POST /v1_1/{cloud}/{resource_type}/upload: single uploads and chunked ones (X-Unique-Upload-Id + Content-Range).</summary>
internal sealed partial class FakeCloudinaryUploads(FakeCloudinaryServer server)
{
    private readonly ConcurrentDictionary<string, ChunkedUpload> _chunked = new(StringComparer.Ordinal);
    private int _mostInFlight;

    public int Pending => _chunked.Count;

    /// <summary>The most chunks of one upload that were being taken in at the same time, since the server started.</summary>
    public int MostInFlight => Volatile.Read(ref _mostInFlight);

    public async Task HandleAsync(HttpContext context)
    {
        var resourceType = context.GetRouteValue("resourceType") as string ?? "";
        var uploadId = context.Request.Headers["X-Unique-Upload-Id"].FirstOrDefault();
        var contentRange = context.Request.Headers.ContentRange.FirstOrDefault();
        var fault = server.Faults.Take();
        var answered = true;
        try
        {
            if (await FakeCloudinaryHttp.TryFailAsync(context, fault, server.Stopping))
            {
                answered = fault is not (FakeCloudinaryFault.Hang or FakeCloudinaryFault.ResetMidBody);
                return;
            }

            await ProcessAsync(context, resourceType, uploadId, contentRange, fault);
        }
        finally
        {
            server.Record(new FakeCloudinaryRequest("upload", resourceType, uploadId, contentRange, answered ? context.Response.StatusCode : 0, fault));
        }
    }

    private async Task ProcessAsync(HttpContext context, string resourceType, string? uploadId, string? contentRange, FakeCloudinaryFault? fault)
    {
        using var form = await FakeCloudinaryForm.ReadAsync(context.Request, server.IncomingDirectory, FakeCloudinaryServer.MaxRequestBytes, context.RequestAborted);
        if (form is null)
        {
            await FakeCloudinaryHttp.ErrorAsync(context, 400, "Upload requests must be multipart/form-data");
            return;
        }

        if (server.Refusal(context, form.Fields) is { } refusal)
        {
            await FakeCloudinaryHttp.ErrorAsync(context, refusal.Status, refusal.Message);
            return;
        }

        if (form.FilePath is null)
        {
            await FakeCloudinaryHttp.ErrorAsync(context, 400, "Missing required parameter - file");
            return;
        }

        if (form.TooLarge)
        {
            await FakeCloudinaryHttp.ErrorAsync(context, 400, $"File size too large. Got {form.FileBytes}. Maximum is {FakeCloudinaryServer.MaxRequestBytes}.");
            return;
        }

        var publicId = PublicId(form.Fields);
        if (uploadId is null)
        {
            if (form.FileBytes == 0)
            {
                await FakeCloudinaryHttp.ErrorAsync(context, 400, "Empty file");
                return;
            }

            var asset = await server.StoreAssetAsync(resourceType, publicId, form.FilePath, form.FileName, context.RequestAborted);
            await AnswerResultAsync(context, asset, fault);
            return;
        }

        await ProcessChunkAsync(context, resourceType, publicId, uploadId, contentRange, form, fault);
    }

    private async Task ProcessChunkAsync(
        HttpContext context, string resourceType, string publicId, string uploadId, string? contentRange, FakeCloudinaryForm form, FakeCloudinaryFault? fault)
    {
        if (contentRange is null || ContentRangePattern().Match(contentRange) is not { Success: true } match)
        {
            await FakeCloudinaryHttp.ErrorAsync(context, 400, "Chunked upload requires a Content-Range header: bytes start-end/total");
            return;
        }

        var start = long.Parse(match.Groups["start"].Value, CultureInfo.InvariantCulture);
        var end = long.Parse(match.Groups["end"].Value, CultureInfo.InvariantCulture);
        var total = long.Parse(match.Groups["total"].Value, CultureInfo.InvariantCulture);
        if (end < start || end - start + 1 != form.FileBytes || (total != -1 && end >= total))
        {
            await FakeCloudinaryHttp.ErrorAsync(context, 400, $"Content-Range {contentRange} does not match the {form.FileBytes} bytes sent");
            return;
        }

        var isLast = total != -1 && end + 1 == total;
        if (!isLast && form.FileBytes < FakeCloudinaryServer.MinChunkBytes)
        {
            await FakeCloudinaryHttp.ErrorAsync(context, 400, "All parts except EOF-chunk must be larger than 5mb");
            return;
        }

        var upload = _chunked.GetOrAdd(uploadId, id => new ChunkedUpload(Path.Combine(server.ChunksDirectory, id), resourceType));
        var inFlight = Interlocked.Increment(ref upload.InFlight);
        InterlockedMax(ref _mostInFlight, inFlight);
        try
        {
            if (!isLast && start != 0 && server.HoldMiddleChunksUntilInFlight > 1)
            {
                await HoldAsync(upload, server.HoldMiddleChunksUntilInFlight, context.RequestAborted);
            }

            await ProcessChunkInOrderAsync(context, resourceType, publicId, uploadId, upload, start, end, isLast, form, fault);
        }
        finally
        {
            Interlocked.Decrement(ref upload.InFlight);
        }
    }

    /// <summary>Lets a test see chunks sent side by side: the answer waits until that many chunks of the upload are in flight (or 30 s pass).</summary>
    private static async Task HoldAsync(ChunkedUpload upload, int together, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Volatile.Read(ref upload.InFlight) < together && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    private static void InterlockedMax(ref int location, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref location)) < value && Interlocked.CompareExchange(ref location, value, seen) != seen)
        {
        }
    }

    private async Task ProcessChunkInOrderAsync(
        HttpContext context, string resourceType, string publicId, string uploadId, ChunkedUpload upload, long start, long end, bool isLast, FakeCloudinaryForm form, FakeCloudinaryFault? fault)
    {
        await upload.Gate.WaitAsync(context.RequestAborted);
        try
        {
            // Cloudinary takes the chunks between the first and the last in any order (and any of them again, a client
            // re-sending after a failure), but the first must open the upload and the last must come after every other was answered.
            if (upload.Received.Count == 0 && start != 0)
            {
                await FakeCloudinaryHttp.ErrorAsync(context, 400, $"Chunk out of order: the first chunk (bytes from 0) must come first for upload {uploadId}");
                return;
            }

            if (isLast && upload.Contiguous() is var joined && joined < start)
            {
                await FakeCloudinaryHttp.ErrorAsync(context, 400, $"Chunk out of order: the last chunk came before bytes {joined}-{start - 1} of upload {uploadId}");
                return;
            }

            await using (var file = new FileStream(upload.Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1, useAsync: true))
            await using (var part = File.OpenRead(form.FilePath!))
            {
                file.Position = start;
                await part.CopyToAsync(file, context.RequestAborted);
            }

            upload.Received[start] = end;
            if (!isLast)
            {
                if (fault == FakeCloudinaryFault.InvalidJson)
                {
                    await context.Response.WriteAsync("<html>502 Bad Gateway</html>", context.RequestAborted);
                    return;
                }

                var reported = fault == FakeCloudinaryFault.WrongBytes ? end + 2 : end + 1;
                await FakeCloudinaryHttp.JsonAsync(context, new JsonObject { ["done"] = false, ["bytes"] = reported, ["upload_id"] = uploadId });
                return;
            }

            _chunked.TryRemove(uploadId, out _);
            var asset = await server.StoreAssetAsync(resourceType, publicId, upload.Path, form.FileName, context.RequestAborted);
            await AnswerResultAsync(context, asset, fault);
        }
        finally
        {
            upload.Gate.Release();
        }
    }

    private async Task AnswerResultAsync(HttpContext context, FakeCloudinaryAsset asset, FakeCloudinaryFault? fault)
    {
        if (fault == FakeCloudinaryFault.InvalidJson)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("<html><body>502 Bad Gateway</body></html>{\"public_id\":", context.RequestAborted);
            return;
        }

        var reported = fault == FakeCloudinaryFault.WrongBytes ? asset.Bytes + 1 : asset.Bytes;
        var result = FakeCloudinaryFormats.UploadResult(server, asset, reported);
        if (fault == FakeCloudinaryFault.WrongEtag)
        {
            result["etag"] = new string('0', 32);
        }

        await FakeCloudinaryHttp.JsonAsync(context, result);
    }

    private static string PublicId(Dictionary<string, string> fields)
    {
        var id = fields.TryGetValue("public_id", out var given) && given.Length > 0
            ? given
            : Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..20];
        return fields.TryGetValue("folder", out var folder) && folder.Length > 0 ? $"{folder.TrimEnd('/')}/{id}" : id;
    }

    [GeneratedRegex(@"^bytes (?<start>\d+)-(?<end>\d+)/(?<total>-1|\d+)$")]
    private static partial Regex ContentRangePattern();

    private sealed class ChunkedUpload(string path, string resourceType)
    {
        public string Path { get; } = path;

        public string ResourceType { get; } = resourceType;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Chunks of this upload received and not yet answered.</summary>
        public int InFlight;

        /// <summary>The chunks stored so far: start → inclusive end.</summary>
        public SortedDictionary<long, long> Received { get; } = [];

        /// <summary>Where the bytes stored from 0 without a gap end.</summary>
        public long Contiguous()
        {
            long next = 0;
            foreach (var (start, end) in Received)
            {
                if (start > next)
                {
                    break;
                }

                next = Math.Max(next, end + 1);
            }

            return next;
        }
    }
}
