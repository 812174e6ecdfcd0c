namespace Stremora.Modules.Images.UploadImage;

/// <summary>The image upload's limit (<c>Upload:MaxImageBytes</c>, beside the video upload's limits).</summary>
internal sealed class ImageUploadOptions
{
    public const string Section = "Upload";

    /// <summary>What the form around the image may add (boundaries, headers, the kind field) before the body counts as too large.</summary>
    public const long FormOverheadBytes = 64 * 1024;

    public long MaxImageBytes { get; set; } = 10 * 1024 * 1024;

    public long MaxRequestBytes => MaxImageBytes + FormOverheadBytes;
}
