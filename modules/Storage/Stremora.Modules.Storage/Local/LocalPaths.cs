using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Stremora.Modules.Storage.Local;

/// <summary>
/// Locators for the local disk: the service's key plus an extension from the sniffed content type,
/// never a client's file name. Every segment is a plain name, so no locator can leave the root.
/// </summary>
internal static partial class LocalPaths
{
    private static readonly Dictionary<string, string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["video/mp4"] = ".mp4",
        ["video/webm"] = ".webm",
        ["video/quicktime"] = ".mov",
        ["video/x-matroska"] = ".mkv",
        ["video/ogg"] = ".ogv",
        ["video/x-msvideo"] = ".avi",
        ["video/mpeg"] = ".mpeg",
        ["video/3gpp"] = ".3gp",
        ["video/mp2t"] = ".ts",
        ["video/x-flv"] = ".flv",
        ["image/jpeg"] = ".jpg",
        ["image/png"] = ".png",
        ["image/webp"] = ".webp",
        ["image/gif"] = ".gif",
        ["image/avif"] = ".avif",
    };

    public const string PartialSuffix = ".partial";

    /// <summary>Where a file is written before it is renamed to <paramref name="final"/>: its name, a write id, <see cref="PartialSuffix"/>.</summary>
    public static string PartialPathFor(string final) => $"{final}.{Guid.NewGuid():N}{PartialSuffix}";

    /// <summary>The locator a <c>.partial</c> file under <paramref name="root"/> was being written for, or null when it is not one of ours.</summary>
    public static string? PartialLocator(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
        var match = Partial().Match(relative);
        return match.Success && IsSafe(match.Groups["locator"].Value) ? match.Groups["locator"].Value : null;
    }

    public static string LocatorFor(string key, string contentType)
    {
        if (!IsSafe(key))
        {
            throw new ArgumentException("A storage key is segments of letters, digits, '.', '_' and '-' separated by '/'.", nameof(key));
        }

        return key + Extensions.GetValueOrDefault(contentType.Split(';')[0].Trim(), ".bin");
    }

    /// <summary>The absolute path of <paramref name="locator"/> under <paramref name="root"/>, or false when the locator is not one of ours.</summary>
    public static bool TryResolve(string root, string? locator, [NotNullWhen(true)] out string? path)
    {
        path = null;
        if (locator is null || !IsSafe(locator) || locator.EndsWith(PartialSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        var candidate = Path.GetFullPath(Path.Combine(fullRoot, locator));

        // Belt and braces: the segment rule already excludes '..', but the root check is what guarantees it.
        if (!candidate.StartsWith(fullRoot, StringComparison.Ordinal))
        {
            return false;
        }

        path = candidate;
        return true;
    }

    private static bool IsSafe(string relative) =>
        relative.Length is > 0 and <= 512 && relative.Split('/').All(s => Segment().IsMatch(s));

    [GeneratedRegex(@"^(?<locator>.+)\.[0-9a-f]{32}\.partial$", RegexOptions.CultureInvariant)]
    private static partial Regex Partial();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex Segment();
}
