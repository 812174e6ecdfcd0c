using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
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
/// The <see cref="StremoraRateLimits.UploadsPerUser"/> policy: one concurrency limiter per signed-in user (no queue)
/// shared by every upload route that opts in (multipart videos, tus chunks, images). Over the cap: 429 problem+json
/// with Retry-After, answered before the endpoint runs, so a refused request has written nothing.
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
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(StremoraRateLimits.UploadsPerUser, context =>
            {
                // Only a request that sends bytes holds a permit (a tus creation without a body takes none); an
                // anonymous caller never gets here, the route's authorization runs first and refuses it.
                var sendsBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;
                if (!sendsBody || context.User.UserId() is not { } userId)
                {
                    return RateLimitPartition.GetNoLimiter("");
                }

                var max = context.RequestServices.GetRequiredService<IOptions<UploadConcurrencyOptions>>().Value.MaxConcurrentPerUser;
                return RateLimitPartition.GetConcurrencyLimiter(userId, _ => new ConcurrencyLimiterOptions { PermitLimit = max, QueueLimit = 0 });
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
