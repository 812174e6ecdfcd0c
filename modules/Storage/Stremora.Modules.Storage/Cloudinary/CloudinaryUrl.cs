namespace Stremora.Modules.Storage.Cloudinary;

/// <summary>Parses <c>cloudinary://api_key:api_secret@cloud_name</c> (query string and path ignored, as the SDKs do).</summary>
internal static class CloudinaryUrl
{
    private const string Scheme = "cloudinary://";

    public static bool TryParse(string value, out (string ApiKey, string ApiSecret, string CloudName) parsed)
    {
        parsed = default;
        var text = value.Trim();
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = text[Scheme.Length..];
        var at = rest.LastIndexOf('@');
        if (at <= 0)
        {
            return false;
        }

        var credentials = rest[..at];
        var cloud = rest[(at + 1)..];
        var end = cloud.IndexOfAny(['/', '?', '#']);
        if (end >= 0)
        {
            cloud = cloud[..end];
        }

        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == credentials.Length - 1 || cloud.Length == 0)
        {
            return false;
        }

        parsed = (
            Uri.UnescapeDataString(credentials[..colon]),
            Uri.UnescapeDataString(credentials[(colon + 1)..]),
            Uri.UnescapeDataString(cloud));
        return true;
    }
}
