using System.Text.RegularExpressions;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos;

/// <summary>
/// The one place the module's storage keys are built and read. An upload writes <c>videos/{id:N}/{video|thumbnail}</c>;
/// each move or replacement writes <c>videos/{id:N}/{name}.{fileId:N}</c>, a key of its own, so removing a copy that lost a
/// race (or the file a replacement supersedes) can never touch the file a video plays from. Providers may put a prefix before the key (S3's key prefix, Cloudinary's
/// folder) and an extension after it (local disk); anything else is not ours and is never judged an orphan.
/// </summary>
internal static partial class StorageKey
{
    /// <summary>The key an upload stores a video's file under.</summary>
    public static string ForFile(Guid videoId, StoredFileKind kind) => $"videos/{videoId:N}/{FileName(kind)}";

    /// <summary>The key one move (return to primary) writes its copy under.</summary>
    public static string ForMove(Guid videoId, StoredFileKind kind, Guid moveId) => OwnKey(videoId, kind, moveId);

    /// <summary>The key one replacement (a new thumbnail) stores its file under, so the old file's removal cannot touch it.</summary>
    public static string ForReplacement(Guid videoId, StoredFileKind kind, Guid replacementId) => OwnKey(videoId, kind, replacementId);

    /// <summary><c>video</c> or <c>thumbnail</c>: the part name, the key's last segment and the name in responses.</summary>
    public static string FileName(StoredFileKind kind) => kind == StoredFileKind.Thumbnail ? "thumbnail" : "video";

    /// <summary>The video id in a locator whose key the service made, or null for anything else.</summary>
    public static Guid? VideoIdIn(string locator)
    {
        ArgumentNullException.ThrowIfNull(locator);
        var match = OurKey().Match(locator);
        return match.Success && Guid.TryParseExact(match.Groups["id"].Value, "N", out var id) ? id : null;
    }

    /// <summary>
    /// True for a key the service made: a video's, or one another module recognises as its own. Maintenance deletes or
    /// aborts nothing else, whatever folder or prefix it sits in (a misconfigured prefix must not cost anyone their data).
    /// </summary>
    public static bool IsServiceKey(string locator, IEnumerable<IStoredFileClaims> otherModules) =>
        VideoIdIn(locator) is not null || otherModules.Any(claims => claims.Recognises(locator));

    private static string OwnKey(Guid videoId, StoredFileKind kind, Guid fileId) => $"{ForFile(videoId, kind)}.{fileId:N}";

    [GeneratedRegex(@"(?:^|/)videos/(?<id>[0-9a-f]{32})/(?:video|thumbnail)(?:\.[0-9a-f]{32})?(?:\.[a-z0-9]{1,5})?$", RegexOptions.CultureInvariant)]
    private static partial Regex OurKey();
}
