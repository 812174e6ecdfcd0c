using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Stremora.Modules.Videos;

/// <summary>
/// A video's entity tag is its stream version in quotes (<c>"7"</c>): every change appends at least one event, so
/// the tag changes with every change, and an <c>If-Match</c> names the version a client decided from.
/// </summary>
internal static class VideoETag
{
    public static string For(long version) => $"\"{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";

    /// <summary>Every video response carries the version it shows.</summary>
    public static void Set(HttpResponse response, VideoDetails video)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(video);
        response.Headers.ETag = For(video.Version);
    }

    /// <summary>RFC 9110 If-Match: <c>*</c> or a list of tags, one of which must be the current one (a weak tag counts: the version is the same).</summary>
    public static bool Matches(StringValues ifMatch, long version)
    {
        var current = For(version);
        return ifMatch
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Any(tag => tag == "*" || tag == current || tag == "W/" + current);
    }
}
