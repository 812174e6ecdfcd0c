using FastEndpoints;
using FluentValidation.Results;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// POST: a new resumable upload, which is a new video ("uploading") with the same id. Its length and metadata are
/// checked as the multipart route checks a form (413, 400) before any byte is taken; a body (creation with upload)
/// is its first chunk.
/// </summary>
internal sealed class CreateUploadEndpoint(
    IDocumentStore store,
    ChunkReceiver chunks,
    IOptions<ResumableUploadOptions> options,
    IOptions<UploadOptions> limits,
    TimeProvider clock) : EndpointWithoutRequest<IResult>
{
    private const int MaxDeclaredTypeLength = 255;

    public override void Configure()
    {
        Post(Tus.Route);
        Policies(StremoraPolicies.SignedInUser);
        Options(b => b.RequireRateLimiting(StremoraRateLimits.UploadsPerUser));
        Description(d => d
            .WithTags("Resumable uploads")
            .Produces(StatusCodes.Status201Created)
            .Problem(StatusCodes.Status400BadRequest, "Upload-Length missing, Upload-Metadata malformed, or its title/description invalid.")
            .Problem(StatusCodes.Status401Unauthorized, "Not signed in.")
            .Problem(StatusCodes.Status412PreconditionFailed, "Tus-Resumable is not 1.0.0.")
            .Problem(StatusCodes.Status413PayloadTooLarge, "Upload-Length is over Upload:MaxVideoBytes.")
            .Problem(StatusCodes.Status429TooManyRequests, "A creation with upload while Upload:MaxConcurrentPerUser uploads of this user are already sending bytes (Retry-After says when to retry)."));
        Summary(s =>
        {
            s.Summary = "tus creation: Upload-Length and Upload-Metadata (title, description, filename, filetype, base64) → 201, Location: /api/uploads/{id}, Upload-Expires.";
            s.Description = "The upload id is the video id: GET /api/videos/{id} shows it uploading, storing, then ready. A body sent with Content-Type application/offset+octet-stream is the first chunk.";
        });
    }

    public override async Task<IResult> ExecuteAsync(CancellationToken ct)
    {
        var request = HttpContext.Request;
        var maxBytes = limits.Value.MaxVideoBytes;
        if (request.Headers.ContainsKey(Tus.DeferLengthHeader))
        {
            return Tus.Problem(StatusCodes.Status400BadRequest, "Length required", $"Send {Tus.LengthHeader}: this server does not defer the length.");
        }

        if (Tus.ReadLength(request, Tus.LengthHeader) is not { } length)
        {
            return Tus.Problem(StatusCodes.Status400BadRequest, "Length required", $"Send {Tus.LengthHeader}: the upload's size in bytes.");
        }

        if (length > maxBytes)
        {
            return Tus.Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"The upload is {length} bytes; a video may be at most {maxBytes} bytes.");
        }

        var metadataHeader = request.Headers[Tus.MetadataHeader].ToString();
        if (UploadMetadata.Parse(metadataHeader, out var malformed) is not { } metadata)
        {
            return Tus.Problem(StatusCodes.Status400BadRequest, "Malformed metadata", malformed!);
        }

        ValidationFailures.AddRange(metadata.Validate().Errors);
        if (length == 0)
        {
            ValidationFailures.Add(new ValidationFailure("video", "video is empty."));
        }

        ThrowIfAnyErrors();

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var ownerId = User.UserId() ?? throw new InvalidOperationException("The signed-in-user policy admitted a principal without a sub claim.");
        var upload = new ResumableUpload { Id = id, Length = length, Metadata = metadataHeader.Length == 0 ? null : metadataHeader, ExpiresAt = now + options.Value.ExpireAfter };
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream<VideoDetails>(
                id,
                new VideoUploadStarted(id, ownerId, metadata.Title!, metadata.Description ?? "", length, DeclaredType(metadata.FileType), null, null, now),
                new ResumableUploadCreated(length));
            session.Insert(upload);
            await session.SaveChangesAsync(ct);
        }

        HttpContext.Response.Headers.Location = Tus.Location(id);
        if (request.ContentLength > 0 || Tus.IsChunk(request))
        {
            var outcome = await chunks.ReceiveAsync(HttpContext, id, 0, ct);
            if (outcome.Problem is not null)
            {
                return outcome.Problem;
            }

            upload = outcome.Upload!;
        }

        HttpContext.Response.Headers[Tus.OffsetHeader] = Tus.Number(upload.Offset);
        HttpContext.Response.Headers[Tus.ExpiresHeader] = Tus.HttpDate(upload.ExpiresAt);
        return TypedResults.Created(Tus.Location(id));
    }

    /// <summary>Recorded as sent only when it is a plausible media type: metadata may carry anything.</summary>
    private static string? DeclaredType(string? fileType) =>
        fileType is { Length: > 0 and <= MaxDeclaredTypeLength } && !fileType.Any(char.IsControl) && fileType.Contains('/', StringComparison.Ordinal) ? fileType : null;
}
