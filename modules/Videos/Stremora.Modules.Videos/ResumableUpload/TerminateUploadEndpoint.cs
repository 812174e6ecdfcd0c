using FastEndpoints;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>DELETE (termination): the upload ends, its staged bytes are removed, its forwarder stops and its video is failed.</summary>
internal sealed class TerminateUploadEndpoint(ResumableUploads uploads, NpgsqlDataSource database) : EndpointWithoutRequest<IResult>
{
    public override void Configure()
    {
        Delete(Tus.Route + "/{id:guid}");
        Policies(StremoraPolicies.SignedInUser);
        Description(d => d
            .WithTags("Resumable uploads")
            .Produces(StatusCodes.Status204NoContent)
            .Problem(StatusCodes.Status404NotFound, "No such upload of yours.")
            .Problem(StatusCodes.Status409Conflict, "The upload is complete and stored: delete the video instead.")
            .Problem(StatusCodes.Status410Gone, "The upload already ended or expired.")
            .Problem(StatusCodes.Status423Locked, "A chunk is being written to this upload."));
        Summary(s => s.Summary = "tus termination: 204; the staged bytes are removed and the video is marked failed.");
    }

    public override async Task<IResult> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        await using var held = await AdvisoryLock.TryAcquireAsync(database, ResumableUpload.LockKey(id), ct);
        if (held is null)
        {
            return Tus.Problem(StatusCodes.Status423Locked, "Upload busy", $"A chunk is being written to upload {id}; terminate it once that request is over.");
        }

        var (video, upload) = await uploads.LoadAsync(id, ct);
        if (uploads.Refuse(id, video, upload, User) is { } refused)
        {
            return refused;
        }

        if (video!.Status == VideoStatus.Ready || !await uploads.FailAsync(video, "terminated by the client", [], ct))
        {
            return Tus.Problem(StatusCodes.Status409Conflict, "Upload complete", $"Upload {id} is stored; delete the video with DELETE /api/videos/{id}.");
        }

        await uploads.AwaitForwarderStoppedAsync(id, ct);

        return TypedResults.NoContent();
    }
}
