using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Stremora.SharedKernel;

namespace Stremora.Api.Platform;

internal sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>HS256 key, at least 32 bytes of UTF-8.</summary>
    public string SigningKey { get; set; } = "";

    public string Issuer { get; set; } = "stremora";

    public string Audience { get; set; } = "stremora-api";
}

internal static class Authentication
{
    public static IServiceCollection AddStremoraAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.SigningKey), "Auth__SigningKey is required (an HS256 key of at least 32 bytes).")
            .Validate(
                o => string.IsNullOrWhiteSpace(o.SigningKey) || Encoding.UTF8.GetByteCount(o.SigningKey) >= 32,
                "Auth__SigningKey is too short: HS256 needs a key of at least 32 bytes.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Issuer), "Auth__Issuer must not be empty.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Audience), "Auth__Audience must not be empty.")
            .ValidateOnStart();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, auth) =>
            {
                var options = auth.Value;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidIssuer = options.Issuer,
                    ValidateAudience = true,
                    ValidAudience = options.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ValidateIssuerSigningKey = true,
                    // An empty key only happens when validation is about to stop the host; keep construction from throwing first.
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.SigningKey.PadRight(32))),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = StremoraClaims.Subject,
                    RoleClaimType = StremoraClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(StremoraPolicies.SignedInUser, p => p.RequireAuthenticatedUser().RequireClaim(StremoraClaims.Subject))
            .AddPolicy(StremoraPolicies.Admin, p => p.RequireAuthenticatedUser().RequireClaim(StremoraClaims.Role, StremoraClaims.AdminRole));
        return services;
    }
}
