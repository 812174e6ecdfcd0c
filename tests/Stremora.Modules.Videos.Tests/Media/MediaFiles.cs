using Stremora.TestKit.Media;

namespace Stremora.Modules.Videos.Tests.Media;

/// <summary>The videos (and not-videos) the media tests upload, each encoded by ffmpeg once per run.</summary>
public static class MediaFiles
{
    public static byte[] Mp4MoovFirst() => Read("moov-first.mp4", AudioAndVideo("640x360", 30, "libx264", "aac", "-movflags", "+faststart"));

    public static byte[] Mp4MoovLast() => Read("moov-last.mp4", AudioAndVideo("640x360", 30, "libx264", "aac"));

    public static byte[] FragmentedMp4() => Read("fragmented.mp4", AudioAndVideo("320x240", 25, "libx264", "aac", "-movflags", "+frag_keyframe+empty_moov+default_base_moof"));

    public static byte[] WebmVp9Opus() => Read("vp9-opus.webm", AudioAndVideo("320x240", 25, "libvpx-vp9", "libopus", "-deadline", "realtime", "-cpu-used", "8"));

    /// <summary>Stored 320x240 with a display matrix that turns it a quarter: shown 240x320.</summary>
    public static byte[] MovRotated90()
    {
        var plain = TestVideos.Encode("unrotated.mov", VideoOnly("320x240", 25, "libx264"));
        return Read("rotated-90.mov", ["-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90"]);
    }

    public static byte[] Mp4WithoutAudio() => Read("no-audio.mp4", VideoOnly("480x270", 24, "libx264"));

    public static byte[] AudioOnlyMp4() => Read("audio-only.mp4", ["-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac"]);

    /// <summary>The first half of an MP4 whose <c>moov</c> box comes last: what an interrupted recording leaves.</summary>
    public static byte[] TruncatedMp4()
    {
        var whole = Mp4MoovLast();
        return whole[..(whole.Length / 2)];
    }

    /// <summary>A valid <c>ftyp</c> box, then bytes that are no MP4 box at all.</summary>
    public static byte[] FtypThenGarbage() => [.. Samples.Mp4Header, .. Samples.WithHeader([], 20_000, 13)];

    /// <summary>A real JPEG named and declared as an MP4.</summary>
    public static byte[] JpegRenamedMp4() => Read("still.jpg", ["-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1"]);

    private static byte[] Read(string name, IReadOnlyList<string> recipe) => File.ReadAllBytes(TestVideos.Encode(name, recipe));

    /// <summary>3 s of test pattern and a tone.</summary>
    private static string[] AudioAndVideo(string size, int rate, string videoCodec, string audioCodec, params string[] extra) =>
    [
        "-f", "lavfi", "-i", $"testsrc=duration=3:size={size}:rate={rate}", "-f", "lavfi", "-i", "sine=duration=3",
        "-c:v", videoCodec, .. videoCodec == "libx264" ? (string[])["-preset", "ultrafast", "-pix_fmt", "yuv420p"] : [], "-c:a", audioCodec, .. extra,
    ];

    private static string[] VideoOnly(string size, int rate, string videoCodec) =>
        ["-f", "lavfi", "-i", $"testsrc=duration=3:size={size}:rate={rate}", "-c:v", videoCodec, "-preset", "ultrafast", "-pix_fmt", "yuv420p"];
}
