using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Hangfire;
using Microsoft.AspNetCore.Authentication;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Stremora.SharedKernel;

namespace Stremora.Api.Platform;

internal sealed class HangfireDashboardOptions
{
    public const string Section = "Hangfire:Dashboard";

    public string? Username { get; set; }

    public string? Password { get; set; }

    public bool HasBasicCredentials => !string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password);
}

/// <summary>
/// The dashboard is for admins only: HTTP Basic with the configured credentials, or a bearer token
/// with the admin role. Hangfire's default filter (local requests only) would let anyone on the box in.
/// A browser resends Basic credentials on a cross-site form POST, and Hangfire checks antiforgery tokens
/// only when antiforgery is registered: so an unsafe request from another origin is refused outright.
/// </summary>
internal static class HangfireDashboard
{
    public const string Path = "/hangfire";
    private const string AuthorizedItem = "stremora.hangfire.authorized";

    public static IServiceCollection AddHangfireDashboardOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HangfireDashboardOptions>()
            .Bind(configuration.GetSection(HangfireDashboardOptions.Section))
            .Validate(
                o => string.IsNullOrEmpty(o.Username) == string.IsNullOrEmpty(o.Password),
                "Hangfire__Dashboard__Username and Hangfire__Dashboard__Password must be set together.")
            .ValidateOnStart();
        return services;
    }

    public static WebApplication UseAdminOnlyHangfireDashboard(this WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase),
            branch => branch.Use(async (context, next) =>
            {
                if (await IsAdminAsync(context))
                {
                    if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !FromOwnOrigin(context.Request))
                    {
                        await Results.Problem(
                            statusCode: StatusCodes.Status403Forbidden,
                            title: "Cross-origin request refused",
                            detail: "The jobs dashboard takes changes only from its own pages: this request came from another origin.")
                            .ExecuteAsync(context);
                        return;
                    }

                    context.Items[AuthorizedItem] = true;
                    await next(context);
                    return;
                }

                context.Response.Headers.WWWAuthenticate = "Basic realm=\"Stremora jobs\", charset=\"UTF-8\"";
                await Results.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    title: "Unauthorized",
                    detail: "The jobs dashboard is for admins: sign in with the dashboard credentials or an admin bearer token.")
                    .ExecuteAsync(context);
            }));

        app.UseHangfireDashboard(Path, new DashboardOptions
        {
            Authorization = [new CheckedByMiddleware()],
            DashboardTitle = "Stremora jobs",
            AppPath = "/",
        });
        return app;
    }

    private static async Task<bool> IsAdminAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || string.IsNullOrEmpty(value.Parameter))
        {
            return false;
        }

        if (string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            var options = context.RequestServices.GetRequiredService<IOptions<HangfireDashboardOptions>>().Value;
            return options.HasBasicCredentials && BasicMatches(value.Parameter, options.Username!, options.Password!);
        }

        if (string.Equals(value.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
            return result.Succeeded && result.Principal.IsAdmin();
        }

        return false;
    }

    /// <summary>
    /// Origin (or, without it, Referer) names this host, as seen directly or through a proxy's X-Forwarded-Host.
    /// Neither header: not a browser's cross-site form (browsers send Origin on every cross-origin POST).
    /// </summary>
    private static bool FromOwnOrigin(HttpRequest request)
    {
        var claimed = request.Headers.Origin.ToString() is { Length: > 0 } origin ? origin : request.Headers.Referer.ToString();
        if (string.IsNullOrEmpty(claimed))
        {
            return true;
        }

        if (!Uri.TryCreate(claimed, UriKind.Absolute, out var from))
        {
            return false;
        }

        var authority = from.IsDefaultPort ? from.Host : $"{from.Host}:{from.Port}";
        return string.Equals(authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || request.Headers["X-Forwarded-Host"].Any(h => string.Equals(authority, h, StringComparison.OrdinalIgnoreCase));
    }

    private static bool BasicMatches(string parameter, string username, string password)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = Encoding.UTF8.GetBytes($"{username}:{password}");
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(decoded), expected);
    }

    /// <summary>Belt and braces: Hangfire itself refuses anything our middleware did not admit.</summary>
    private sealed class CheckedByMiddleware : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) =>
            context.GetHttpContext().Items.TryGetValue(AuthorizedItem, out var ok) && ok is true;
    }
}
