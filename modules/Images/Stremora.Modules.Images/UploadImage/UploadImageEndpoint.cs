using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using MultipartSection = Microsoft.AspNetCore.WebUtilities.MultipartSection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.SharedKernel;

namespace Stremora.Modules.Images.UploadImage;

/// <summary>
/// Streams the <c>image</c> part straight into storage (failover chain, circuit breakers, verification), then starts
/// the image's stream with where it landed and every attempt. Whatever it stored for an upload that does not end
/// recorded is removed before the response; if even that fails, reconciliation finds the file as an orphan.
/// </summary>
internal sealed partial class UploadImageEndpoint(
    IVideoStorage storage,
    IDocumentStore store,
    IOptions<ImageUploadOptions> options,
    TimeProvider clock,
    ILogger<UploadImageEndpoint> logger)
    : EndpointWithoutRequest<Results<Created<ImageResponse>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Post("/api/images");
        Policies(StremoraPolicies.SignedInUser);
        Options(b => b.RequireRateLimiting(StremoraRateLimits.UploadsPerUser));
        AllowFileUploads(dontAutoBindFormData: true);
        Description(d => d
            .WithTags("Images")
            .ImageUploadForm()
            .ImageIdempotencyHeader()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable));
        Summary(s =>
        {
            s.Summary = "Upload an avatar or a cover (multipart/form-data: kind, then image); optional Idempotency-Key header.";
            s.Description = "The image is streamed to storage (Cloudinary, then S3, ...) as it arrives; JPEG, PNG or WebP, sniffed from the bytes, "
                + "at most Upload:MaxImageBytes. 400 bad form or kind, 409 key reused for other content, 413 too large, 415 not an image, 429 Upload:MaxConcurrentPerUser uploads of this user already in progress, 503 every provider failed (with the attempts).";
        });
    }

    public override async Task<Results<Created<ImageResponse>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var limits = options.Value;
        var request = HttpContext.Request;
        if (request.ContentLength > limits.MaxRequestBytes)
        {
            return ImageProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Image too large", $"The request is {request.ContentLength} bytes; an image upload may be at most {limits.MaxRequestBytes} bytes (image {limits.MaxImageBytes}, plus the form).");
        }

        if (ImageUploadForm.Open(HttpContext, limits) is not { } form)
        {
            return ImageProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "Not a form upload", "Send the image as multipart/form-data with the parts kind (avatar or cover) and image.");
        }

        var ownerId = User.UserId() ?? throw new InvalidOperationException("The signed-in-user policy admitted a principal without a sub claim.");
        if (!ImageIdempotency.TryReadKey(request, ownerId, out var key, out var invalidKey))
        {
            return invalidKey!;
        }

        var id = Guid.CreateVersion7();
        StoreOutcome.Stored? stored = null;
        var recorded = false;
        try
        {
            await form.ReadAsync(async section => stored = await StoreAsync(id, form.Kind, section, stored, limits, ct), ct);
            if (stored is null)
            {
                return ImageProblems.Problem(StatusCodes.Status400BadRequest, "No image", "Send the 'kind' field (avatar or cover) and one part named 'image'.");
            }

            var earlier = key is null ? default : await ImageIdempotency.FindAsync(store, key, ct);
            if (earlier is ({ } claim, { } replayed))
            {
                // Same key again: the first upload's image if the content is the same; this upload's copy is not kept.
                return await ImageIdempotency.ReplayAsync(claim, replayed, form.Kind!, stored.File.Sha256, storage, HttpContext.Response, ct);
            }

            var uploaded = Decide.Upload(form.Kind!, ownerId, stored, clock.GetUtcNow(), key?.Hash);
            await using (var session = store.LightweightSession())
            {
                session.Events.StartStream<ImageDetails>(id, uploaded);
                if (key is not null && earlier.Claim is null)
                {
                    session.Insert(key.Claim(id, uploaded));
                }
                else if (key is not null)
                {
                    // The key's image was deleted: the key is free for this one.
                    session.Store(key.Claim(id, uploaded));
                }

                try
                {
                    await session.SaveChangesAsync(ct);
                }
                catch (Exception e) when (key is not null && ImageIdempotency.IsClaimConflict(e))
                {
                    // A concurrent upload with the same key won the claim: answer as a retry after it would be answered.
                    return await ImageIdempotency.FindAsync(store, key, ct) is ({ } winnerClaim, { } winner)
                        ? await ImageIdempotency.ReplayAsync(winnerClaim, winner, form.Kind!, stored.File.Sha256, storage, HttpContext.Response, ct)
                        : ImageProblems.Problem(StatusCodes.Status409Conflict, "Upload in progress", $"Another upload with this {ImageIdempotency.Header} is being recorded; retry.");
                }
            }

            recorded = true;
            var image = ImageDetailsProjection.Apply(null, id, uploaded)!;
            return TypedResults.Created(ImageResponse.Location(id), await ImageResponse.FromAsync(image, storage, ct));
        }
        catch (ImageUploadRejectedException rejected)
        {
            return rejected.Status == StatusCodes.Status503ServiceUnavailable && rejected.Data["attempts"] is ImageAttemptResponse[] attempts
                ? TypedResults.Problem(statusCode: rejected.Status, title: rejected.Title, detail: rejected.Message, extensions: new Dictionary<string, object?> { ["attempts"] = attempts })
                : ImageProblems.Problem(rejected.Status, rejected.Title, rejected.Message);
        }
        finally
        {
            if (stored is not null && !recorded)
            {
                await RemoveUnrecordedAsync(stored.File);
            }
        }
    }

    /// <summary>Sniffs the part's first bytes, then streams it (those bytes and the rest) through the failover chain.</summary>
    private async Task<StoreOutcome.Stored> StoreAsync(Guid id, string? kind, MultipartSection section, StoreOutcome.Stored? earlier, ImageUploadOptions limits, CancellationToken ct)
    {
        if (earlier is not null)
        {
            throw new ImageUploadRejectedException(StatusCodes.Status400BadRequest, "Duplicate image", "Send exactly one part named 'image'.");
        }

        if (!ImageKinds.IsKnown(kind))
        {
            throw new ImageUploadRejectedException(StatusCodes.Status400BadRequest, "Invalid kind", $"Send the 'kind' field as '{ImageKinds.Avatar}' or '{ImageKinds.Cover}' before the 'image' part (got '{kind}').");
        }

        var head = new byte[ImageSniffer.PrefixLength];
        var n = await section.Body.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var contentType = ImageSniffer.Sniff(head.AsSpan(0, n))
            ?? throw new ImageUploadRejectedException(StatusCodes.Status415UnsupportedMediaType, "Not an image", "The 'image' part's bytes are not a JPEG, PNG or WebP image.");
        var request = new StoreFileRequest(StoredFileKind.Image, ImageStorageKey.For(id, kind!), contentType, limits.MaxImageBytes);
        var outcome = await storage.StoreAsync(request, new PrefixedStream(head.AsMemory(0, n), section.Body), ct);
        return outcome switch
        {
            StoreOutcome.Stored stored => stored,
            StoreOutcome.TooLarge tooLarge => throw new ImageUploadRejectedException(StatusCodes.Status413PayloadTooLarge, "Image too large", tooLarge.Message),
            StoreOutcome.AllFailed failed => throw StorageFailed(failed),
            StoreOutcome.Aborted aborted => throw new ImageUploadRejectedException(StatusCodes.Status400BadRequest, "Upload cut off", $"The request body broke off before the image was complete ({aborted.Cause.GetType().Name})."),
            _ => throw new InvalidOperationException($"Unexpected store outcome {outcome.GetType().Name}."),
        };
    }

    private static ImageUploadRejectedException StorageFailed(StoreOutcome.AllFailed failed)
    {
        var rejected = new ImageUploadRejectedException(StatusCodes.Status503ServiceUnavailable, "Storage unavailable", "Every storage provider failed to store the image: " + failed.Describe());
        rejected.Data["attempts"] = failed.Attempts.Select(a => new ImageAttemptResponse("image", a.Provider, a.Outcome, a.Error, a.ElapsedMs)).ToArray();
        return rejected;
    }

    /// <summary>Not recorded, so not served: removed now, or found by reconciliation as an orphan if this fails too.</summary>
    private async Task RemoveUnrecordedAsync(StoredFile file)
    {
        try
        {
            using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await storage.DeleteAsync(file, budget.Token);
        }
        catch (Exception e)
        {
            LogRemovalFailed(logger, e, file.Provider, file.Locator);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An unrecorded image {Provider} {Locator} could not be removed; reconciliation will remove it as an orphan")]
    private static partial void LogRemovalFailed(ILogger logger, Exception exception, string provider, string locator);
}
