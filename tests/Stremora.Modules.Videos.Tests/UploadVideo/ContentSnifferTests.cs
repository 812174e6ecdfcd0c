using System.Text;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.UploadVideo;

public sealed class ContentSnifferTests
{
    private static byte[] Ascii(string s, int padTo = 64) => Pad(Encoding.ASCII.GetBytes(s), padTo);

    private static byte[] Pad(byte[] head, int length)
    {
        var bytes = new byte[Math.Max(length, head.Length)];
        head.CopyTo(bytes, 0);
        return bytes;
    }

    private static byte[] Box(string type, string brand) => Pad([0, 0, 0, 0x18, .. Encoding.ASCII.GetBytes(type + brand)], 64);

    public static TheoryData<string, byte[], string> Videos() => new()
    {
        { "mp4 (isom)", Box("ftyp", "isom"), "video/mp4" },
        { "mp4 (mp42)", Box("ftyp", "mp42"), "video/mp4" },
        { "m4v", Box("ftyp", "M4V "), "video/mp4" },
        { "quicktime ftyp", Box("ftyp", "qt  "), "video/quicktime" },
        { "quicktime moov first", Box("moov", "...."), "video/quicktime" },
        { "3gp", Box("ftyp", "3gp5"), "video/3gpp" },
        { "webm", Pad([0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, .. "webm"u8], 64), "video/webm" },
        { "matroska", Pad([0x1A, 0x45, 0xDF, 0xA3, 0xA3, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88, .. "matroska"u8], 64), "video/x-matroska" },
        { "avi", Ascii("RIFF\0\0\0\0AVI LIST"), "video/x-msvideo" },
        { "flv", Pad([.. "FLV"u8, 0x01, 0x05], 64), "video/x-flv" },
        { "asf", Pad([0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11], 64), "video/x-ms-asf" },
        { "mpeg-ps", Pad([0x00, 0x00, 0x01, 0xBA, 0x44], 64), "video/mpeg" },
        { "mpeg-ts", TransportStream(3), "video/mp2t" },
    };

    [Theory]
    [MemberData(nameof(Videos))]
    public void Recognises_video_containers_from_their_first_bytes(string name, byte[] head, string expected)
    {
        Assert.True(ContentSniffer.SniffVideo(head) == expected, name);
    }

    public static TheoryData<string, byte[]> NotVideos() => new()
    {
        { "text", Samples.NotAVideo() },
        { "jpeg", Samples.Jpeg() },
        { "png", Samples.WithHeader(Samples.PngHeader, 64, 1) },
        { "avif image in an ISO box", Box("ftyp", "avif") },
        { "heic image in an ISO box", Box("ftyp", "heic") },
        { "m4a audio in an ISO box", Box("ftyp", "M4A ") },
        { "webp image in RIFF", Ascii("RIFF\0\0\0\0WEBPVP8 ") },
        { "wav audio in RIFF", Ascii("RIFF\0\0\0\0WAVEfmt ") },
        { "a single G is not a transport stream", Ascii("Good morning, this starts with a capital G") },
        { "one TS packet is not enough", TransportStream(1) },
        { "a truncated ftyp box", "\0\0\0\u0018ftyp"u8.ToArray() },
        { "nothing", [] },
    };

    [Theory]
    [MemberData(nameof(NotVideos))]
    public void Refuses_what_is_not_a_video(string name, byte[] head)
    {
        Assert.True(ContentSniffer.SniffVideo(head) is null, name);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10 }, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0 }, "image/png")]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 0, 0, 0, 0, (byte)'W', (byte)'E', (byte)'B', (byte)'P', (byte)'V', (byte)'P' }, "image/webp")]
    public void Recognises_thumbnail_images(byte[] head, string expected)
    {
        Assert.Equal(expected, ContentSniffer.SniffImage(head));
    }

    [Fact]
    public void Refuses_a_video_or_text_as_a_thumbnail()
    {
        Assert.Null(ContentSniffer.SniffImage(Samples.Mp4()));
        Assert.Null(ContentSniffer.SniffImage(Samples.NotAVideo()));
        Assert.Null(ContentSniffer.SniffImage(Ascii("GIF89a")));
    }

    private static byte[] TransportStream(int packets)
    {
        var bytes = new byte[(188 * packets) + 4];
        for (var i = 0; i < packets; i++)
        {
            bytes[i * 188] = 0x47;
        }

        return bytes[..Math.Min(bytes.Length, ContentSniffer.PrefixLength)];
    }
}
