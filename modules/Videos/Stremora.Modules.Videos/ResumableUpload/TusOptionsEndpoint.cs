using FastEndpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>OPTIONS: what this tus server speaks (version, extensions, largest upload, checksum algorithms).</summary>
internal sealed class TusOptionsEndpoint(IOptions<UploadOptions> limits) : EndpointWithoutRequest<NoContent>
{
    public override void Configure()
    {
        Verbs(Http.OPTIONS);
        Routes(Tus.Route, Tus.Route + "/{id:guid}");
        AllowAnonymous();
        Description(d => d.WithTags("Resumable uploads"));
        Summary(s => s.Summary = "tus 1.0 discovery: Tus-Version, Tus-Extension (creation, creation-with-upload, expiration, checksum, termination), Tus-Max-Size, Tus-Checksum-Algorithm.");
    }

    public override Task<NoContent> ExecuteAsync(CancellationToken ct)
    {
        var headers = HttpContext.Response.Headers;
        headers[Tus.VersionHeader] = Tus.Version;
        headers[Tus.ExtensionHeader] = Tus.Extensions;
        headers[Tus.MaxSizeHeader] = Tus.Number(limits.Value.MaxVideoBytes);
        headers[Tus.ChecksumAlgorithmHeader] = TusChecksum.Algorithms;
        return Task.FromResult(TypedResults.NoContent());
    }
}
