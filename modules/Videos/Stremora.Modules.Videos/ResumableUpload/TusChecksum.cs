using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>The checksum extension: <c>Upload-Checksum: {algorithm} {base64 digest}</c> over one chunk, computed as it is written.</summary>
internal sealed class TusChecksum : IDisposable
{
    /// <summary>What Tus-Checksum-Algorithm announces; sha1 is the one the protocol requires.</summary>
    public const string Algorithms = "sha1,sha256,md5";

    private readonly IncrementalHash _hash;
    private readonly byte[] _expected;

    private TusChecksum(string algorithm, IncrementalHash hash, byte[] expected)
    {
        Algorithm = algorithm;
        _hash = hash;
        _expected = expected;
    }

    public string Algorithm { get; }

    /// <returns>False with the problem to answer when the header is malformed or names an algorithm not spoken here; true otherwise (checksum null when none was sent).</returns>
    public static bool TryRead(HttpRequest request, out TusChecksum? checksum, out ProblemHttpResult? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        checksum = null;
        problem = null;
        var header = request.Headers[Tus.ChecksumHeader].ToString();
        if (header.Length == 0)
        {
            return true;
        }

        var parts = header.Split(' ', 2, StringSplitOptions.TrimEntries);
        HashAlgorithmName? name = parts[0].ToLowerInvariant() switch
        {
            "sha1" => HashAlgorithmName.SHA1,
            "sha256" => HashAlgorithmName.SHA256,
            "md5" => HashAlgorithmName.MD5,
            _ => null,
        };
        if (name is null)
        {
            problem = Tus.Problem(StatusCodes.Status400BadRequest, "Unsupported checksum algorithm", $"{Tus.ChecksumHeader} names '{parts[0]}'; this server checks {Algorithms}.");
            return false;
        }

        byte[] expected;
        try
        {
            expected = parts.Length == 2 ? Convert.FromBase64String(parts[1]) : [];
        }
        catch (FormatException)
        {
            expected = [];
        }

        if (expected.Length == 0)
        {
            problem = Tus.Problem(StatusCodes.Status400BadRequest, "Malformed checksum", $"Send {Tus.ChecksumHeader} as '{{algorithm}} {{base64 digest}}', e.g. 'sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0='.");
            return false;
        }

        checksum = new TusChecksum(parts[0].ToLowerInvariant(), IncrementalHash.CreateHash(name.Value), expected);
        return true;
    }

    public void Append(ReadOnlySpan<byte> bytes) => _hash.AppendData(bytes);

    public bool Matches() => CryptographicOperations.FixedTimeEquals(_hash.GetHashAndReset(), _expected);

    public void Dispose() => _hash.Dispose();
}
