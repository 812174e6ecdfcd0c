namespace Stremora.Modules.Videos;

/// <summary>
/// What analysis found in a video (the contract's <c>media</c>): width and height as displayed (swapped for a 90°/270°
/// rotation), the rotation its display matrix asks for (0, 90, 180 or 270, as ffprobe reports it), <paramref name="AudioCodec"/> null without audio.
/// </summary>
internal sealed record VideoMedia(
    double? DurationSeconds,
    int Width,
    int Height,
    int Rotation,
    string VideoCodec,
    string? AudioCodec,
    double? FrameRate,
    long? BitRate,
    string Container);
