using FastEndpoints;
using Hangfire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stremora.Modules.Videos.Media;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.BackfillMedia;

/// <summary>The back-fill was queued: its result is the Hangfire job's (dashboard, /hangfire).</summary>
internal sealed record MediaBackfillAccepted(string JobId);

/// <summary>Queues a media back-fill run now (the same job the schedule runs).</summary>
internal sealed class AnalyzeMediaEndpoint(IBackgroundJobClient jobs, IOptions<MediaOptions> options)
    : EndpointWithoutRequest<Results<Accepted<MediaBackfillAccepted>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Post("/api/admin/media/analyze");
        Policies(StremoraPolicies.Admin);
        Description(d => d.WithTags("Admin")
            .ProducesProblemDetails(StatusCodes.Status401Unauthorized)
            .ProducesProblemDetails(StatusCodes.Status403Forbidden)
            .ProducesProblemDetails(StatusCodes.Status409Conflict));
        Summary(s => s.Summary = "Admin: analyse stored videos that have no media yet (a background job; 409 when analysis is off).");
    }

    public override Task<Results<Accepted<MediaBackfillAccepted>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        if (!options.Value.Analyze)
        {
            return Task.FromResult<Results<Accepted<MediaBackfillAccepted>, ProblemHttpResult>>(TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Media analysis is switched off",
                detail: "Set Media__Analyze=true (with ffprobe installed) to allow it."));
        }

        var jobId = jobs.Enqueue<MediaBackfillJob>(j => j.RunAsync(CancellationToken.None));
        return Task.FromResult<Results<Accepted<MediaBackfillAccepted>, ProblemHttpResult>>(TypedResults.Accepted((string?)null, new MediaBackfillAccepted(jobId)));
    }
}
