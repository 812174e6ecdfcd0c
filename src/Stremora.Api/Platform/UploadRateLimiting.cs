using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Stremora.SharedKernel;

namespace Stremora.Api.Platform;

/// <summary>Each user's uploads in flight at once (<c>Upload:MaxConcurrentPerUser</c>): every one may spool gigabytes.</summary>
internal sealed class UploadConcurrencyOptions
{
    public int MaxConcurrentPerUser { get; set; } = 3;
}

/// <summary>
/// The <see cref="StremoraRateLimits.UploadsPerUser"/> policy: a concurrency limiter per signed-in user (no queue),
/// for every upload route that opts in. Over the cap: 429 problem+json with Retry-After.
/// </summary>
internal static class UploadRateLimiting
{
    public const int RetryAfterSeconds = 10;

    public static IServiceCollection AddUploadRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UploadConcurrencyOptions>()
            .Bind(configuration.GetSection("Upload"))
            .Validate(o => o.MaxConcurrentPerUser >= 1, "Upload__MaxConcurrentPerUser must be at least 1.")
            .ValidateOnStart();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(StremoraRateLimits.UploadsPerUser, context =>
            {
                var max = context.RequestServices.GetRequiredService<IOptions<UploadConcurrencyOptions>>().Value.MaxConcurrentPerUser;
                // The route's authorization has already refused anonymous callers; "" never takes a permit from a user.
                return RateLimitPartition.GetConcurrencyLimiter(
                    context.User.UserId() ?? "",
                    _ => new ConcurrencyLimiterOptions { PermitLimit = max, QueueLimit = 0 });
            });
            limiter.OnRejected = async (rejected, ct) =>
            {
                var max = rejected.HttpContext.RequestServices.GetRequiredService<IOptions<UploadConcurrencyOptions>>().Value.MaxConcurrentPerUser;
                rejected.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                        statusCode: StatusCodes.Status429TooManyRequests,
                        title: "Too many uploads at once",
                        detail: $"You already have {max} upload(s) in progress; wait for one to finish, then retry.")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }
}
