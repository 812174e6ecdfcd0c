using System.Security.Claims;

namespace Stremora.SharedKernel;

/// <summary>Authorization policy names the modules put on their endpoints.</summary>
public static class StremoraPolicies
{
    public const string SignedInUser = "signed-in-user";
    public const string Admin = "admin";
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
