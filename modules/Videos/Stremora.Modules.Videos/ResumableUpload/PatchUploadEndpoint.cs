using FastEndpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>PATCH: the next chunk, at the offset HEAD reported. The last one stores the video before it is answered.</summary>
internal sealed class PatchUploadEndpoint(ChunkReceiver chunks) : EndpointWithoutRequest<IResult>
{
    public override void Configure()
    {
        Patch(Tus.Route + "/{id:guid}");
        Policies(StremoraPolicies.SignedInUser);
        Options(b => b.RequireRateLimiting(StremoraRateLimits.UploadsPerUser));
        Description(d => d
            .WithTags("Resumable uploads")
            .Produces(StatusCodes.Status204NoContent)
            .Problem(StatusCodes.Status400BadRequest, "Upload-Offset missing, or Upload-Checksum malformed or of an unknown algorithm.")
            .Problem(StatusCodes.Status404NotFound, "No such upload of yours.")
            .Problem(StatusCodes.Status409Conflict, "Upload-Offset is not the upload's offset.")
            .Problem(StatusCodes.Status410Gone, "The upload was terminated, failed or expired.")
            .Problem(StatusCodes.Status413PayloadTooLarge, "The chunk goes past Upload-Length.")
            .Problem(StatusCodes.Status415UnsupportedMediaType, "Not application/offset+octet-stream, or the upload's first bytes are not a video (then it is terminated).")
            .Problem(StatusCodes.Status429TooManyRequests, "Upload:MaxConcurrentPerUser uploads of this user are already sending bytes (Retry-After says when to retry).")
            .Problem(StatusCodes.Status423Locked, "Another request is writing to this upload.")
            .Problem(Tus.ChecksumMismatch, "The chunk does not match Upload-Checksum; it was discarded."));
        Summary(s => s.Summary = "tus chunk: Content-Type application/offset+octet-stream, Upload-Offset, optional Upload-Checksum (sha1, sha256, md5) → 204 with the new Upload-Offset and Upload-Expires.");
    }

    public override async Task<IResult> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        if (Tus.ReadLength(HttpContext.Request, Tus.OffsetHeader) is not { } offset)
        {
            return Tus.Problem(StatusCodes.Status400BadRequest, "Offset required", $"Send {Tus.OffsetHeader}: the offset HEAD reported.");
        }

        var outcome = await chunks.ReceiveAsync(HttpContext, id, offset, ct);
        if (outcome.Problem is not null)
        {
            return outcome.Problem;
        }

        HttpContext.Response.Headers[Tus.OffsetHeader] = Tus.Number(outcome.Upload!.Offset);
        HttpContext.Response.Headers[Tus.ExpiresHeader] = Tus.HttpDate(outcome.Upload.ExpiresAt);
        return TypedResults.NoContent();
    }
}
