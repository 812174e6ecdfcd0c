using System.Net.Http.Headers;
using Stremora.TestKit.Host;

namespace Stremora.ReliabilityTests.Infrastructure;

/// <summary>Who is calling: the columns of the access matrix.</summary>
public enum Caller
{
    Anonymous,
    Owner,
    OtherUser,
    Admin,
    ExpiredToken,
    AlgNoneToken,
    ForeignKeyToken,
}

public static class Callers
{
    public const string OwnerId = "owner-7f3a";
    public const string OtherUserId = "other-91c2";
    public const string AdminId = "admin-44d0";

    /// <summary>A well-formed HS256 key that is not the service's.</summary>
    public const string ForeignSigningKey = "not-the-service-key-0123456789abcdef0123456789";

    public static IReadOnlyList<Caller> All { get; } = Enum.GetValues<Caller>();

    /// <summary>
    /// The bearer token a caller presents. The forged ones all claim the owner's id AND the admin role,
    /// so that accepting any of them would let the caller do everything and the matrix would see it.
    /// </summary>
    public static string? Token(Caller caller) => caller switch
    {
        Caller.Anonymous => null,
        Caller.Owner => TestTokens.For(OwnerId),
        Caller.OtherUser => TestTokens.For(OtherUserId),
        Caller.Admin => TestTokens.For(AdminId, admin: true),
        Caller.ExpiredToken => TestTokens.For(OwnerId, admin: true, lifetime: TimeSpan.FromMinutes(30), notBefore: DateTime.UtcNow.AddHours(-2)),
        Caller.AlgNoneToken => TestTokens.AlgNone(OwnerId),
        Caller.ForeignKeyToken => TestTokens.For(OwnerId, admin: true, signingKey: ForeignSigningKey),
        _ => throw new ArgumentOutOfRangeException(nameof(caller), caller, null),
    };

    public static void Authorize(HttpRequestMessage request, Caller caller)
    {
        var token = Token(caller);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public static bool HasForgedOrExpiredToken(Caller caller) => caller is Caller.ExpiredToken or Caller.AlgNoneToken or Caller.ForeignKeyToken;
}
