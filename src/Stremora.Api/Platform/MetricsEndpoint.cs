using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Stremora.SharedKernel;

namespace Stremora.Api.Platform;

/// <summary><c>Metrics:ScrapeToken</c>: the bearer token Prometheus sends; shorter than 32 characters (or unset) means admins only.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Metrics";
    public const int MinimumTokenLength = 32;

    public string? ScrapeToken { get; set; }

    public bool AcceptsScrapeToken => ScrapeToken is { Length: >= MinimumTokenLength };
}

/// <summary>
/// <c>/metrics</c>: the Prometheus text exposition, for admins (a bearer token with the admin role) or a
/// scraper sending the scrape token; anyone else gets 401. The branch runs before the host's
/// authentication, so a scrape token is never offered to the JWT handler (which would log every scrape).
/// </summary>
internal static partial class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IServiceCollection AddMetricsEndpointOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section));
        return services;
    }

    public static WebApplication UseMetricsEndpoint(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!string.IsNullOrEmpty(options.ScrapeToken) && !options.AcceptsScrapeToken)
        {
            LogShortToken(app.Logger, MetricsOptions.MinimumTokenLength);
        }

        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null,
            predicate: context => context.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase),
            path: null,
            configureBranchedPipeline: branch => branch.Use(async (context, next) =>
            {
                if (await MayReadAsync(context, options))
                {
                    await next(context);
                    return;
                }

                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Results.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    title: "Unauthorized",
                    detail: "Metrics are for admins and the configured scraper: send an admin bearer token or the scrape token (Metrics__ScrapeToken).")
                    .ExecuteAsync(context);
            }),
            optionsName: null);
        return app;
    }

    private static async Task<bool> MayReadAsync(HttpContext context, MetricsOptions options)
    {
        if (!AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization.ToString(), out var header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrEmpty(header.Parameter))
        {
            return false;
        }

        if (options.AcceptsScrapeToken
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header.Parameter), Encoding.UTF8.GetBytes(options.ScrapeToken!)))
        {
            return true;
        }

        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        return result.Succeeded && result.Principal.IsAdmin();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics__ScrapeToken is shorter than {MinimumLength} characters and is ignored: /metrics is for admins only")]
    private static partial void LogShortToken(ILogger logger, int minimumLength);
}
