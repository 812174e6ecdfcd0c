using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos;

/// <summary>
/// The one place the module's storage keys are built and read: <c>videos/{id:N}/{video|thumbnail}</c>. Providers
/// may put a prefix before the key (S3's key prefix, Cloudinary's folder) and an extension after it (local disk),
/// so parsing looks for the <c>videos/{id}/</c> segments anywhere in a locator; whatever follows the name
/// (an extension, a per-copy suffix) does not change whose file it is.
/// </summary>
internal static class StorageKey
{
    private const string Folder = "videos";

    /// <summary>The key an upload or a move stores a video's file under.</summary>
    public static string ForFile(Guid videoId, StoredFileKind kind) => $"{Folder}/{videoId:N}/{FileName(kind)}";

    /// <summary><c>video</c> or <c>thumbnail</c>: the part name, the key's last segment and the name in responses.</summary>
    public static string FileName(StoredFileKind kind) => kind == StoredFileKind.Thumbnail ? "thumbnail" : "video";

    /// <summary>The video id in a locator the service made (<c>[prefix/]videos/{id:N}/video[.ext]</c>), or null.</summary>
    public static Guid? VideoIdIn(string locator)
    {
        ArgumentNullException.ThrowIfNull(locator);
        var segments = locator.Split('/');
        for (var i = 0; i < segments.Length - 2; i++)
        {
            if (segments[i] == Folder && segments[i + 1].Length == 32 && segments[i + 1].All(char.IsAsciiHexDigitLower)
                && Guid.TryParseExact(segments[i + 1], "N", out var videoId))
            {
                return videoId;
            }
        }

        return null;
    }
}
