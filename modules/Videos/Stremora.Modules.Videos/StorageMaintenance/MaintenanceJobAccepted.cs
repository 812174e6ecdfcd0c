using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Stremora.Modules.Videos.StorageMaintenance;

/// <summary>A maintenance job was queued: its result appears at <paramref name="StatusUrl"/> (lastRun.jobId) and in the dashboard.</summary>
internal sealed record MaintenanceJobAccepted(string JobId, string StatusUrl)
{
    public const string Status = "/api/admin/storage/maintenance";

    /// <summary>The admin routes' answer: 202 with the queued job, or 409 naming the setting that switched it off.</summary>
    /// <param name="job">What the job is called in the 409's title ("Return to primary").</param>
    public static Results<Accepted<MaintenanceJobAccepted>, ProblemHttpResult> Queue(bool enabled, string job, string enabledSetting, Func<string> enqueue)
    {
        ArgumentNullException.ThrowIfNull(enqueue);
        if (!enabled)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: $"{job} is switched off",
                detail: $"Set {enabledSetting}=true to allow it.");
        }

        return TypedResults.Accepted(Status, new MaintenanceJobAccepted(enqueue(), Status));
    }
}
