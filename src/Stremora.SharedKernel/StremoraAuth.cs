using System.Security.Claims;

namespace Stremora.SharedKernel;

/// <summary>Authorization policy names the modules put on their endpoints.</summary>
public static class StremoraPolicies
{
    public const string SignedInUser = "signed-in-user";
    public const string Admin = "admin";
}

/// <summary>Rate-limiting policy names the modules put on their endpoints (the host registers them).</summary>
public static class StremoraRateLimits
{
    /// <summary>Each user's concurrent uploads, capped by <c>Upload:MaxConcurrentPerUser</c>: for every route that takes a file.</summary>
    public const string UploadsPerUser = "uploads-per-user";
}

/// <summary>The claims a Stremora token carries: <c>sub</c> is the user id, <c>role</c> = <c>admin</c> marks admins.</summary>
public static class StremoraClaims
{
    public const string Subject = "sub";
    public const string Role = "role";
    public const string AdminRole = "admin";

    public static string? UserId(this ClaimsPrincipal principal) => principal.FindFirst(Subject)?.Value;

    public static bool IsAdmin(this ClaimsPrincipal principal) => principal.HasClaim(Role, AdminRole);
}
