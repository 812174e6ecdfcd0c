using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FastEndpoints;
using FluentValidation;
using FluentValidation.Results;
using JasperFx;
using Marten;
using Marten.Exceptions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using MinDataRate = Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using MultipartSection = Microsoft.AspNetCore.WebUtilities.MultipartSection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Cleanup;
using Stremora.Modules.Videos.GetVideo;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// Streams a multipart upload section by section straight into storage (never buffering a file),
/// recording every step on the video's event stream. Anything stored by an upload that does not end
/// "ready" is removed before the response (or, if that fails, by a cleanup job).
/// </summary>
internal sealed partial class UploadVideoEndpoint(
    IVideoStorage storage,
    IDocumentStore store,
    IOptions<UploadOptions> options,
    TimeProvider clock,
    ILogger<UploadVideoEndpoint> logger)
    : EndpointWithoutRequest<Results<Created<VideoResponse>, ProblemHttpResult>>
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxFieldBytes = 64 * 1024;
    private const int MaxIdempotencyKeyLength = 255;
    private const int MaxDeclaredTypeLength = 255;
    private static readonly TimeSpan CleanupBudget = TimeSpan.FromSeconds(30);
    private static readonly UploadVideoRequest.Validator Validator = new();

    public override void Configure()
    {
        Post("/api/videos");
        Policies(StremoraPolicies.SignedInUser);
        AllowFileUploads(dontAutoBindFormData: true);
        Description(d => d
            .WithTags("Videos")
            .UploadForm()
            .HeaderParameter(IdempotencyKeyHeader, "Optional. The same key and content from the same user returns the same video instead of a second upload.")
            .Problem(StatusCodes.Status400BadRequest, "Invalid or missing fields (title 1-200 characters, description up to 5000, a non-empty video).")
            .Problem(StatusCodes.Status401Unauthorized, "Not signed in.")
            .Problem(StatusCodes.Status409Conflict, "The Idempotency-Key was used for different content, or its upload is still running.")
            .Problem(StatusCodes.Status413PayloadTooLarge, "Larger than Upload:MaxVideoBytes / Upload:MaxThumbnailBytes.")
            .Problem(StatusCodes.Status415UnsupportedMediaType, "Not multipart/form-data, or a part's bytes are not a video (video) / JPEG, PNG, WebP (thumbnail).")
            .Problem(StatusCodes.Status503ServiceUnavailable, "Every storage provider failed; the problem lists each attempt."));
        Summary(s =>
        {
            s.Summary = "Upload a video (multipart/form-data: title, description, video, thumbnail); optional Idempotency-Key header.";
            s.Description = "The file parts are streamed to storage (Cloudinary, then S3, ...) as they arrive; their type is sniffed from the bytes.";
        });
    }

    public override async Task<Results<Created<VideoResponse>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var limits = options.Value;
        if (HttpContext.Request.ContentLength > limits.MaxRequestBytes)
        {
            return Problems.TooLarge($"The request is {HttpContext.Request.ContentLength} bytes; an upload may be at most {limits.MaxRequestBytes} bytes (video {limits.MaxVideoBytes}, thumbnail {limits.MaxThumbnailBytes}, plus the form).");
        }

        // Kestrel's default (~28.6 MB) would cut videos off: raise it for this route only.
        if (HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxRequestBytes;
        }

        // A client that stalls mid-body (slow-loris) is cut off with a 408 instead of holding the request and its spool file.
        if (HttpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } bodyRate)
        {
            bodyRate.MinDataRate = new MinDataRate(limits.MinBodyBytesPerSecond, TimeSpan.FromSeconds(limits.BodyRateGracePeriodSeconds));
        }

        if (!MediaTypeHeaderValue.TryParse(HttpContext.Request.ContentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Length == 0)
        {
            return Problems.Problem(StatusCodes.Status415UnsupportedMediaType, "Not a form upload", "Send the upload as multipart/form-data with the parts title, description, video and thumbnail.");
        }

        var ownerId = User.UserId() ?? throw new InvalidOperationException("The signed-in-user policy admitted a principal without a sub claim.");
        var key = HttpContext.Request.Headers[IdempotencyKeyHeader].ToString();
        if (HttpContext.Request.Headers.ContainsKey(IdempotencyKeyHeader) && (key.Length is 0 or > MaxIdempotencyKeyLength))
        {
            return Problems.Problem(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key", $"The {IdempotencyKeyHeader} header must be 1 to {MaxIdempotencyKeyLength} characters.");
        }

        var upload = new Upload(Guid.CreateVersion7(), ownerId, key.Length == 0 ? null : IdempotencyKeyHash(ownerId, key), HttpContext.Request.ContentLength);
        var body = new BodyEndProbe(HttpContext.Request.Body);
        var reader = new MultipartReader(HeaderUtilities.RemoveQuotes(mediaType.Boundary).ToString(), body)
        {
            // Per-part limits are enforced by storage (MaxBytes) and the whole body by Kestrel; the reader's 128 MB default would cut videos off.
            BodyLengthLimit = null,
        };

        try
        {
            if (upload.IdempotencyKeyHash is not null)
            {
                var replay = await CheckIdempotencyKeyAsync(upload, reader, ct);
                if (replay is not null)
                {
                    return replay;
                }
            }

            await ReadSectionsAsync(upload, reader, ct);
            var failures = Validator.Validate(upload.Form);
            if (!failures.IsValid)
            {
                throw new UploadRejectedException(failures, "the form is invalid: " + failures);
            }

            return await CompleteAsync(upload, ct);
        }
        catch (UploadRejectedException rejected)
        {
            await AbandonAsync(upload, rejected.Message);
            if (rejected.Result is { } problem)
            {
                return problem;
            }

            // Validation failures go out through FastEndpoints' own error response, so they look like every other 400.
            ValidationFailures.AddRange(rejected.Failures.Select(f => new ValidationFailure(ToCamelCase(f.PropertyName), f.ErrorMessage)));
            ThrowIfAnyErrors();
            throw;
        }
        catch (FileTooLargeException tooLarge)
        {
            await AbandonAsync(upload, tooLarge.Message);
            return Problems.TooLarge(tooLarge.Message);
        }
        catch (AllProvidersFailedException failed)
        {
            upload.UnrecordedAttempts.AddRange(failed.Attempts);
            await AbandonAsync(upload, "every storage provider failed");
            return Problems.AllProvidersFailed(failed.Attempts);
        }
        catch (BadHttpRequestException badRequest) when (badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await AbandonAsync(upload, "the request body passed the size limit");
            return Problems.TooLarge($"The request passed the limit of {limits.MaxRequestBytes} bytes.");
        }
        catch (BadHttpRequestException slow) when (slow.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            await AbandonAsync(upload, "the request body arrived too slowly");
            return Problems.Problem(StatusCodes.Status408RequestTimeout, "Upload too slow", $"The request body arrived slower than {limits.MinBodyBytesPerSecond} bytes per second; the upload was abandoned.");
        }
        catch (IOException truncated) when (body.Ended && !ct.IsCancellationRequested)
        {
            // The whole body arrived but the multipart reader ran out of it: no closing boundary, or the wrong one.
            await AbandonAsync(upload, "the multipart body is truncated");
            return Problems.Problem(StatusCodes.Status400BadRequest, "Malformed form", "The multipart/form-data body ended before its closing boundary (truncated, or not using the boundary its Content-Type declares): " + truncated.Message);
        }
        catch (Exception malformed) when (malformed is InvalidDataException or BadHttpRequestException && !ct.IsCancellationRequested)
        {
            await AbandonAsync(upload, "the multipart body is malformed");
            return Problems.Problem(StatusCodes.Status400BadRequest, "Malformed form", "The multipart/form-data body could not be read: " + malformed.Message);
        }
        catch
        {
            // Interrupted request, catalog down, ...: nothing half-written may stay behind.
            await AbandonAsync(upload, ct.IsCancellationRequested ? "the client went away mid-upload" : "the upload failed unexpectedly");
            throw;
        }
    }

    /// <summary>
    /// A key already used by this user: a ready video means "replay" (same content: the same video back;
    /// different content: 409); an upload still running is a 409; a failed or deleted one frees the key.
    /// </summary>
    private async Task<Results<Created<VideoResponse>, ProblemHttpResult>?> CheckIdempotencyKeyAsync(Upload upload, MultipartReader reader, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var claim = await session.LoadAsync<UploadIdempotencyKey>(upload.IdempotencyKeyHash!, ct);
        var previous = claim is null ? null : await session.LoadAsync<VideoDetails>(claim.VideoId, ct);
        upload.KeyAlreadyClaimed = claim is not null;
        switch (previous?.Status)
        {
            case VideoStatuses.Uploading:
                return Problems.Problem(StatusCodes.Status409Conflict, "Upload in progress", $"An upload with this {IdempotencyKeyHeader} is still in progress; retry when it has finished.");
            case VideoStatuses.Ready:
                var (videoSha, thumbnailSha) = await HashFilesAsync(reader, ct);
                if (!string.Equals(videoSha, previous.Video?.Sha256, StringComparison.Ordinal) || !string.Equals(thumbnailSha, previous.Thumbnail?.Sha256, StringComparison.Ordinal))
                {
                    return Problems.Problem(StatusCodes.Status409Conflict, "Idempotency-Key reused", $"This {IdempotencyKeyHeader} was already used for an upload with different content; use a new key for a new upload.");
                }

                HttpContext.Response.Headers[ReplayedHeader] = "true";
                return TypedResults.Created(Location(previous.Id), await VideoResponse.FromAsync(previous, storage, ct));
            default:
                return null;
        }
    }

    /// <summary>For a replay: the content's SHA-256 per file part, read through without storing anything.</summary>
    private async Task<(string? Video, string? Thumbnail)> HashFilesAsync(MultipartReader reader, CancellationToken ct)
    {
        string? video = null, thumbnail = null;
        var limits = options.Value;
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            var name = PartName(section);
            if (name is "video" or "thumbnail")
            {
                var max = name == "video" ? limits.MaxVideoBytes : limits.MaxThumbnailBytes;
                var hash = await HashAsync(section.Body, max, name == "video" ? StoredFileKind.Video : StoredFileKind.Thumbnail, ct);
                (video, thumbnail) = name == "video" ? (hash, thumbnail) : (video, hash);
            }
            else
            {
                await section.Body.CopyToAsync(Stream.Null, ct);
            }
        }

        return (video, thumbnail);
    }

    private static async Task<string> HashAsync(Stream body, long maxBytes, StoredFileKind kind, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            total += n;
            if (total > maxBytes)
            {
                throw new FileTooLargeException(kind, maxBytes);
            }

            sha.AppendData(buffer, 0, n);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private async Task ReadSectionsAsync(Upload upload, MultipartReader reader, CancellationToken ct)
    {
        var form = upload.Form;
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            switch (PartName(section))
            {
                case "title":
                    form.Title = await ReadFieldAsync(section, "title", ct);
                    break;
                case "description":
                    form.Description = await ReadFieldAsync(section, "description", ct);
                    break;
                case "video":
                    form.Video = form.Video is null
                        ? await StoreFileAsync(upload, StoredFileKind.Video, section, ct)
                        : throw Rejected(StatusCodes.Status400BadRequest, "Duplicate video", "Send exactly one part named 'video'.");
                    break;
                case "thumbnail":
                    form.Thumbnail = form.Thumbnail is null
                        ? await StoreFileAsync(upload, StoredFileKind.Thumbnail, section, ct)
                        : throw Rejected(StatusCodes.Status400BadRequest, "Duplicate thumbnail", "Send at most one part named 'thumbnail'.");
                    break;
                default:
                    // Unknown parts are read past, not kept (the body size limit still applies).
                    await section.Body.CopyToAsync(Stream.Null, ct);
                    break;
            }
        }
    }

    private static string PartName(MultipartSection section)
    {
        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw Rejected(StatusCodes.Status400BadRequest, "Malformed form", "Every part needs a 'Content-Disposition: form-data; name=...' header.");
        }

        return HeaderUtilities.RemoveQuotes(disposition.Name).ToString();
    }

    private static async Task<string> ReadFieldAsync(MultipartSection section, string name, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var n = await section.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        return n > MaxFieldBytes
            ? throw Rejected(StatusCodes.Status400BadRequest, "Field too large", $"The '{name}' field is larger than {MaxFieldBytes} bytes.")
            : Encoding.UTF8.GetString(buffer, 0, n);
    }

    private async Task<UploadedFile> StoreFileAsync(Upload upload, StoredFileKind kind, MultipartSection section, CancellationToken ct)
    {
        var isVideo = kind == StoredFileKind.Video;
        var head = new byte[ContentSniffer.PrefixLength];
        var headLength = await section.Body.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        if (headLength == 0)
        {
            if (isVideo)
            {
                upload.Form.Video = new UploadedFile("", 0);
            }
            else
            {
                upload.Form.Thumbnail = new UploadedFile("", 0);
            }

            // The validator owns the rule; only its verdict on this part matters here (the other fields may not have arrived yet).
            var verdict = Validator.Validate(upload.Form);
            verdict.Errors.RemoveAll(e => e.PropertyName != Name(kind));
            throw new UploadRejectedException(verdict, $"the {Name(kind)} is empty");
        }

        var sniffed = isVideo ? ContentSniffer.SniffVideo(head.AsSpan(0, headLength)) : ContentSniffer.SniffImage(head.AsSpan(0, headLength));
        if (sniffed is null)
        {
            throw isVideo
                ? Rejected(StatusCodes.Status415UnsupportedMediaType, "Not a video", "The 'video' part is not a video this service accepts (MP4, QuickTime, 3GP, WebM, Matroska, AVI, FLV, ASF/WMV, MPEG-PS or MPEG-TS), judged by its bytes, whatever type it declares.")
                : Rejected(StatusCodes.Status415UnsupportedMediaType, "Not an image", "The 'thumbnail' part is not a JPEG, PNG or WebP image, judged by its bytes, whatever type it declares.");
        }

        if (!upload.Started)
        {
            await StartAsync(upload, section, kind, ct);
        }

        var limits = options.Value;
        var request = new StoreFileRequest(kind, $"videos/{upload.VideoId:N}/{Name(kind)}", sniffed, isVideo ? limits.MaxVideoBytes : limits.MaxThumbnailBytes);
        var result = await storage.StoreAsync(request, new PrefixedStream(head.AsMemory(0, headLength), section.Body), ct);
        upload.Stored.Add(result.Stored);

        var stored = result.Stored;
        var storedAttempt = result.Attempts.LastOrDefault(a => a.Outcome == AttemptOutcomes.Stored);
        List<object> events =
        [
            .. result.Attempts.Where(a => a.Outcome != AttemptOutcomes.Stored).Select(a => new StorageAttemptFailed(a.File, a.Provider, a.Outcome, a.Error, a.ElapsedMs)),
            new VideoFileStored(kind, stored.Provider, stored.Locator, stored.Url, stored.Bytes, stored.ContentType, stored.Sha256, storedAttempt?.ElapsedMs ?? 0),
        ];
        await AppendAsync(upload, events, ct);
        return new UploadedFile(sniffed, stored.Bytes);
    }

    /// <summary>
    /// The first file is about to be stored: open the stream (and claim the idempotency key) first, so a
    /// crash from here on leaves an "uploading" video for the sweeper instead of an unknown orphan.
    /// </summary>
    private async Task StartAsync(Upload upload, MultipartSection firstFile, StoredFileKind kind, CancellationToken ct)
    {
        // Fields sent before the files are checked now, before anything is stored.
        var early = Validator.Validate(upload.Form);
        // Case-insensitive: FastEndpoints makes FluentValidation report property names in camelCase ("title").
        early.Errors.RemoveAll(e => !(string.Equals(e.PropertyName, nameof(UploadVideoRequest.Title), StringComparison.OrdinalIgnoreCase) && upload.Form.Title is not null)
                                    && !(string.Equals(e.PropertyName, nameof(UploadVideoRequest.Description), StringComparison.OrdinalIgnoreCase) && upload.Form.Description is not null));
        if (early.Errors.Count > 0)
        {
            throw new UploadRejectedException(early, "the form is invalid: " + early);
        }

        // Recorded as sent only when it is a plausible media type: a header may carry anything (NUL, kilobytes).
        var declaredType = MediaTypeHeaderValue.TryParse(firstFile.ContentType, out var declared) && firstFile.ContentType!.Length <= MaxDeclaredTypeLength && !firstFile.ContentType.Any(char.IsControl)
            ? declared.ToString()
            : null;
        var started = new VideoUploadStarted(
            upload.VideoId,
            upload.OwnerId,
            upload.Form.Title ?? "",
            upload.Form.Description ?? "",
            upload.DeclaredBytes,
            kind == StoredFileKind.Video ? declaredType : null,
            kind == StoredFileKind.Thumbnail ? declaredType : null,
            upload.IdempotencyKeyHash,
            clock.GetUtcNow());

        await using var session = store.LightweightSession();
        session.Events.StartStream<VideoDetails>(upload.VideoId, started);
        if (upload.IdempotencyKeyHash is { } keyHash)
        {
            var claim = new UploadIdempotencyKey(keyHash, upload.VideoId);
            if (upload.KeyAlreadyClaimed)
            {
                // The previous holder failed or was deleted: the key is free again.
                session.Store(claim);
            }
            else
            {
                session.Insert(claim);
            }
        }

        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException)
        {
            throw Rejected(StatusCodes.Status409Conflict, "Upload in progress", $"Another upload with this {IdempotencyKeyHeader} started at the same time.");
        }

        upload.Started = true;
        upload.Version = 1;
    }

    private async Task<Results<Created<VideoResponse>, ProblemHttpResult>> CompleteAsync(Upload upload, CancellationToken ct)
    {
        await AppendAsync(upload, [new VideoReady(upload.Form.Title!, upload.Form.Description ?? "", clock.GetUtcNow())], ct);
        upload.Completed = true;
        await using var session = store.QuerySession();
        var video = await session.LoadAsync<VideoDetails>(upload.VideoId, ct)
            ?? throw new InvalidOperationException($"Video {upload.VideoId} is ready but its read model is missing.");
        return TypedResults.Created(Location(video.Id), await VideoResponse.FromAsync(video, storage, ct));
    }

    /// <summary>Appends with the expected version: if the sweeper declared this upload dead meanwhile, this fails and the upload is abandoned.</summary>
    private async Task AppendAsync(Upload upload, List<object> events, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Events.Append(upload.VideoId, upload.Version + events.Count, [.. events]);
        await session.SaveChangesAsync(ct);
        upload.Version += events.Count;
    }

    /// <summary>
    /// Undo an upload that will not become ready: remove what it stored right away and record why on its
    /// stream (status "failed", never served). A file that cannot be removed now gets a cleanup job.
    /// Runs on its own time budget: the request may already be cancelled.
    /// </summary>
    private async Task AbandonAsync(Upload upload, string reason)
    {
        if (!upload.Started || upload.Completed)
        {
            return;
        }

        using var budget = new CancellationTokenSource(CleanupBudget);
        List<object> events = [.. upload.UnrecordedAttempts.Select(a => new StorageAttemptFailed(a.File, a.Provider, a.Outcome, a.Error, a.ElapsedMs))];
        events.Add(new VideoUploadFailed(reason, clock.GetUtcNow()));
        foreach (var file in upload.Stored)
        {
            try
            {
                await storage.DeleteAsync(file.Ref, budget.Token);
                events.Add(new StoredFileCleanedUp(file.Kind, file.Provider, file.Locator));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogCleanupDeferred(logger, e, file.Provider, file.Locator, upload.VideoId);
                events.Add(new StoredFileCleanupScheduled(file.Kind, file.Provider, file.Locator, file.Url, "upload failed; removing it at once failed too"));
            }
        }

        try
        {
            await using var session = store.LightweightSession();
            // No expected version: whatever else was appended meanwhile, this upload is over.
            session.Events.Append(upload.VideoId, [.. events]);
            if (upload.IdempotencyKeyHash is { } keyHash)
            {
                session.DeleteWhere<UploadIdempotencyKey>(k => k.Id == keyHash && k.VideoId == upload.VideoId);
            }

            await session.SaveChangesAsync(budget.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The stream stays "uploading": the abandoned-upload sweep marks it failed and cleans up later.
            LogAbandonNotRecorded(logger, e, upload.VideoId);
        }
    }

    private static string ToCamelCase(string name) =>
        name.Length == 0 ? name : char.ToLower(name[0], CultureInfo.InvariantCulture) + name[1..];

    private static string Location(Guid id) => $"/api/videos/{id}";

    private static string Name(StoredFileKind kind) => VideoResponse.FileName(kind);

    private static string IdempotencyKeyHash(string ownerId, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ownerId + "\n" + key)));

    private static UploadRejectedException Rejected(int status, string title, string detail) =>
        new(Problems.Problem(status, title, detail), title.ToLowerInvariant() + ": " + detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove {Provider} {Locator} of failed upload {VideoId} at once; a cleanup job will")]
    private static partial void LogCleanupDeferred(ILogger logger, Exception exception, string provider, string locator, Guid videoId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record the failure of upload {VideoId}; the abandoned-upload sweep will")]
    private static partial void LogAbandonNotRecorded(ILogger logger, Exception exception, Guid videoId);

    /// <summary>What one upload has done so far: enough to finish it or to undo it.</summary>
    private sealed class Upload(Guid videoId, string ownerId, string? idempotencyKeyHash, long? declaredBytes)
    {
        public Guid VideoId { get; } = videoId;

        public string OwnerId { get; } = ownerId;

        public string? IdempotencyKeyHash { get; } = idempotencyKeyHash;

        public long? DeclaredBytes { get; } = declaredBytes;

        public UploadVideoRequest Form { get; } = new();

        public bool KeyAlreadyClaimed { get; set; }

        public bool Started { get; set; }

        public bool Completed { get; set; }

        public long Version { get; set; }

        public List<StoredFile> Stored { get; } = [];

        public List<StorageAttempt> UnrecordedAttempts { get; } = [];
    }

    private sealed class UploadRejectedException : Exception
    {
        public UploadRejectedException(ProblemHttpResult result, string reason)
            : base(reason) => Result = result;

        public UploadRejectedException(ValidationResult invalid, string reason)
            : base(reason) => Failures = invalid.Errors;

        public ProblemHttpResult? Result { get; }

        public IReadOnlyList<ValidationFailure> Failures { get; } = [];
    }

    private static class Problems
    {
        public static ProblemHttpResult Problem(int status, string title, string detail) =>
            TypedResults.Problem(statusCode: status, title: title, detail: detail);

        public static ProblemHttpResult TooLarge(string detail) =>
            Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", detail);

        public static ProblemHttpResult AllProvidersFailed(IReadOnlyList<StorageAttempt> attempts) =>
            TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Storage unavailable",
                detail: "Every storage provider failed to store the upload: " + string.Join("; ", attempts.Select(a => $"{Name(a.File)} on {a.Provider}: {a.Outcome}{(a.Error is null ? "" : " (" + a.Error + ")")}")),
                extensions: new Dictionary<string, object?>
                {
                    ["attempts"] = attempts.Select(a => new VideoAttemptResponse(Name(a.File), a.Provider, a.Outcome, a.Error, a.ElapsedMs)).ToArray(),
                });
    }
}
