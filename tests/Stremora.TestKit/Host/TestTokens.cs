using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Stremora.TestKit.Host;

/// <summary>Mints bearer tokens the way an identity provider would for Stremora (HS256, sub, role).</summary>
public static class TestTokens
{
    public const string SigningKey = "test-signing-key-0123456789abcdef0123456789abcdef";
    public const string Issuer = "stremora";
    public const string Audience = "stremora-api";

    public static string For(
        string userId,
        bool admin = false,
        TimeSpan? lifetime = null,
        string signingKey = SigningKey,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? notBefore = null)
    {
        var now = notBefore ?? DateTime.UtcNow;
        var claims = new List<Claim> { new("sub", userId) };
        if (admin)
        {
            claims.Add(new Claim("role", "admin"));
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = issuer,
            Audience = audience,
            NotBefore = now.AddMinutes(-1),
            IssuedAt = now.AddMinutes(-1),
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(30)),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) claiming to be an admin: must always be refused.</summary>
    public static string AlgNone(string userId)
    {
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds();
        return B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
               B64($"{{\"sub\":\"{userId}\",\"role\":\"admin\",\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\",\"exp\":{exp}}}") + ".";
    }
}
