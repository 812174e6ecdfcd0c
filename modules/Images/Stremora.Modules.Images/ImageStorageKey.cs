namespace Stremora.Modules.Images;

/// <summary>
/// The one place image storage keys are built and read: <c>images/{id:N}/{avatar|cover}</c>. Providers may put a
/// prefix before the key (S3's key prefix, Cloudinary's folder) and an extension after it (local disk), so parsing
/// looks for the <c>images/{id}/</c> segments anywhere in a locator.
/// </summary>
internal static class ImageStorageKey
{
    private const string Folder = "images";

    public static string For(Guid imageId, string kind) => $"{Folder}/{imageId:N}/{kind}";

    /// <summary>The image id in a locator the module made (<c>[prefix/]images/{id:N}/avatar[.ext]</c>), or null.</summary>
    public static Guid? ImageIdIn(string locator)
    {
        ArgumentNullException.ThrowIfNull(locator);
        var segments = locator.Split('/');
        for (var i = 0; i < segments.Length - 2; i++)
        {
            if (segments[i] == Folder && segments[i + 1].Length == 32 && segments[i + 1].All(char.IsAsciiHexDigitLower)
                && Guid.TryParseExact(segments[i + 1], "N", out var imageId))
            {
                return imageId;
            }
        }

        return null;
    }
}
