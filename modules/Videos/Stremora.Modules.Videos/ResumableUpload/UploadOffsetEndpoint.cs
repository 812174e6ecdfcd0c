using FastEndpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>HEAD: how many bytes of the upload are staged durably (where the client goes on from), its length and metadata.</summary>
internal sealed class UploadOffsetEndpoint(ResumableUploads uploads) : EndpointWithoutRequest<IResult>
{
    public override void Configure()
    {
        Verbs(Http.HEAD);
        Routes(Tus.Route + "/{id:guid}");
        Policies(StremoraPolicies.SignedInUser);
        Description(d => d
            .WithTags("Resumable uploads")
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status404NotFound)
            .Produces(StatusCodes.Status410Gone));
        Summary(s => s.Summary = "tus offset: Upload-Offset, Upload-Length, Upload-Metadata, Upload-Expires; 404 for someone else's or an unknown upload, 410 once it ended or expired.");
    }

    public override async Task<IResult> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var headers = HttpContext.Response.Headers;
        // Offsets change with every chunk: no cache may answer for the server.
        headers.CacheControl = "no-store";
        var (video, upload) = await uploads.LoadAsync(id, ct);
        if (uploads.Refuse(id, video, upload, User) is { } refused)
        {
            return refused;
        }

        headers[Tus.OffsetHeader] = Tus.Number(upload!.Offset);
        headers[Tus.LengthHeader] = Tus.Number(upload.Length);
        if (upload.Metadata is not null)
        {
            headers[Tus.MetadataHeader] = upload.Metadata;
        }

        if (!upload.IsComplete)
        {
            headers[Tus.ExpiresHeader] = Tus.HttpDate(upload.ExpiresAt);
        }

        return TypedResults.Ok();
    }
}
