using System.Globalization;
using FastEndpoints;
using FluentValidation.Results;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Media;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// Streams a multipart upload section by section straight into storage (never buffering a file), recording
/// every step on the video's event stream (<see cref="UploadStream"/>). Anything stored by an upload that
/// does not end "ready" is removed before the response (or, if that fails, by a cleanup job).
/// </summary>
internal sealed class UploadVideoEndpoint(
    IVideoStorage storage,
    MediaAnalysis media,
    IDocumentStore store,
    NpgsqlDataSource database,
    IOptions<UploadOptions> options,
    TimeProvider clock,
    ILogger<UploadVideoEndpoint> logger)
    : EndpointWithoutRequest<Results<Created<VideoResponse>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Post("/api/videos");
        Policies(StremoraPolicies.SignedInUser);
        Options(b => b.RequireRateLimiting(StremoraRateLimits.UploadsPerUser));
        AllowFileUploads(dontAutoBindFormData: true);
        Description(d => d
            .WithTags("Videos")
            .UploadForm()
            .HeaderParameter(IdempotencyKey.Header, "Optional. The same key and content from the same user returns the same video instead of a second upload.")
            .Problem(StatusCodes.Status400BadRequest, "Invalid or missing fields (title 1-200 characters, description up to 5000, a non-empty video).")
            .Problem(StatusCodes.Status401Unauthorized, "Not signed in.")
            .Problem(StatusCodes.Status409Conflict, "The Idempotency-Key was used for different content or another kind of request, or its upload is still running.")
            .Problem(StatusCodes.Status413PayloadTooLarge, "Larger than Upload:MaxVideoBytes / Upload:MaxThumbnailBytes.")
            .Problem(StatusCodes.Status429TooManyRequests, "Upload:MaxConcurrentPerUser uploads of this user are already in progress (Retry-After says when to retry).")
            .Problem(StatusCodes.Status415UnsupportedMediaType, "Not multipart/form-data, or a part's bytes are not a video (video) / JPEG, PNG, WebP (thumbnail), or the video cannot be decoded (no video stream, truncated, damaged).")
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
        var request = HttpContext.Request;
        if (request.ContentLength > limits.MaxRequestBytes)
        {
            return UploadProblems.TooLarge($"The request is {request.ContentLength} bytes; an upload may be at most {limits.MaxRequestBytes} bytes (video {limits.MaxVideoBytes}, thumbnail {limits.MaxThumbnailBytes}, plus the form).");
        }

        var body = new BodyEndProbe(request.Body);
        if (UploadForm.Open(HttpContext, body, limits) is not { } form)
        {
            return UploadProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "Not a form upload", "Send the upload as multipart/form-data with the parts title, description, video and thumbnail.");
        }

        var ownerId = User.UserId() ?? throw new InvalidOperationException("The signed-in-user policy admitted a principal without a sub claim.");
        if (!IdempotencyKey.TryReadHash(request, ownerId, out var keyHash, out var invalidKey))
        {
            return invalidKey!;
        }

        await using var upload = new UploadStream(store, database, storage, clock, logger, ownerId, keyHash, request.ContentLength);
        using var files = new UploadFiles(storage, form, media);
        try
        {
            if (keyHash is not null && await UploadIdempotency.CheckAsync(store, database, storage, clock, upload, form, HttpContext.Response, ct) is { } replay)
            {
                return replay;
            }

            await form.ReadAsync(upload.Form, (kind, section) => files.StoreAsync(upload, kind, section, ct), ct);
            UploadRejectedException.ThrowIfInvalid(upload.Form.Validate(), "the form is invalid");
            await files.StorePosterAsync(upload, ct);

            var video = await upload.CompleteAsync(ct);
            VideoETag.Set(HttpContext.Response, video);
            return TypedResults.Created(VideoResponse.Location(video.Id), await VideoResponse.FromAsync(video, storage, ct));
        }
        catch (Exception e)
        {
            var failure = UploadProblems.For(e, body.Ended, limits, ct);
            await upload.AbandonAsync(failure.Reason);
            if (failure.Invalid.Count > 0)
            {
                // Validation failures go out through FastEndpoints' own error response, so they look like every other 400.
                ValidationFailures.AddRange(failure.Invalid.Select(f => new ValidationFailure(ToCamelCase(f.PropertyName), f.ErrorMessage)));
                ThrowIfAnyErrors();
            }

            if (failure.Problem is null)
            {
                throw;
            }

            return failure.Problem;
        }
    }

    private static string ToCamelCase(string name) =>
        name.Length == 0 ? name : char.ToLower(name[0], CultureInfo.InvariantCulture) + name[1..];
}
