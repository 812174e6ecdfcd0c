using System.Text;
using Stremora.Modules.Storage.Contracts;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos;

/// <summary>A file part after its first bytes were read: empty or not, what they say it is, and the whole part to store.</summary>
/// <param name="ContentType">The sniffed type; null when the bytes are not a supported file of the part's kind.</param>
/// <param name="Content">The bytes read for sniffing, then the rest of the part (never buffered).</param>
internal sealed record SniffedPart(bool IsEmpty, string? ContentType, Stream Content);

/// <summary>
/// Decides what a file is from its first bytes; the client's declared type is never trusted.
/// Returns the content type to store, or null when the bytes are not a supported video / image.
/// </summary>
internal static class ContentSniffer
{
    /// <summary>Enough for every signature below (MPEG-TS needs three 188-byte packets).</summary>
    public const int PrefixLength = 512;

    private const byte TsSync = 0x47;
    private const int TsPacket = 188;

    // ISO BMFF brands that are images or audio, not video.
    private static readonly string[] NonVideoBrands = ["avif", "avis", "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1", "M4A ", "M4B ", "M4P ", "F4A ", "F4B "];

    /// <summary>Reads the part's first bytes and sniffs them as <paramref name="kind"/>: how every route that takes a file part starts.</summary>
    public static async Task<SniffedPart> ReadAsync(Stream part, StoredFileKind kind, CancellationToken ct)
    {
        var head = new byte[PrefixLength];
        var length = await part.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        return new SniffedPart(length == 0, Sniff(kind, head.AsSpan(0, length)), new PrefixedStream(head.AsMemory(0, length), part));
    }

    /// <summary>A video part is sniffed as a video, a thumbnail as an image.</summary>
    public static string? Sniff(StoredFileKind kind, ReadOnlySpan<byte> head) => kind == StoredFileKind.Video ? SniffVideo(head) : SniffImage(head);

    /// <summary>The 415's title and detail when <see cref="Sniff"/> said no: every route that takes a video or a thumbnail says it alike.</summary>
    public static (string Title, string Detail) Unsupported(StoredFileKind kind) => kind == StoredFileKind.Video
        ? ("Not a video", "The 'video' part is not a video this service accepts (MP4, QuickTime, 3GP, WebM, Matroska, AVI, FLV, ASF/WMV, MPEG-PS or MPEG-TS), judged by its bytes, whatever type it declares.")
        : ("Not an image", "The 'thumbnail' part is not a JPEG, PNG or WebP image, judged by its bytes, whatever type it declares.");

    public static string? SniffVideo(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 12 && head.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            var brand = Encoding.ASCII.GetString(head.Slice(8, 4));
            if (NonVideoBrands.Contains(brand, StringComparer.Ordinal))
            {
                return null;
            }

            return brand switch
            {
                "qt  " => "video/quicktime",
                _ when brand.StartsWith("3g2", StringComparison.Ordinal) => "video/3gpp2",
                _ when brand.StartsWith("3gp", StringComparison.Ordinal) => "video/3gpp",
                _ => "video/mp4",
            };
        }

        // QuickTime files may open with other atoms before (or instead of) ftyp.
        if (head.Length >= 8 && (head.Slice(4, 4).SequenceEqual("moov"u8) || head.Slice(4, 4).SequenceEqual("mdat"u8) || head.Slice(4, 4).SequenceEqual("wide"u8)))
        {
            return "video/quicktime";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            // The EBML header names the DocType: "webm" or "matroska".
            return head.IndexOf("webm"u8) >= 0 ? "video/webm" : "video/x-matroska";
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head.Slice(8, 4).SequenceEqual("AVI "u8))
        {
            return "video/x-msvideo";
        }

        if (head.StartsWith("FLV\x01"u8))
        {
            return "video/x-flv";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]))
        {
            return "video/x-ms-asf";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x01, 0xBA]) || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x01, 0xB3]))
        {
            return "video/mpeg";
        }

        if (IsMpegTransportStream(head))
        {
            return "video/mp2t";
        }

        return null;
    }

    public static string? SniffImage(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        return null;
    }

    /// <summary>One 0x47 is just a 'G': demand the sync byte at the start of every packet we can see (at least two).</summary>
    private static bool IsMpegTransportStream(ReadOnlySpan<byte> head)
    {
        if (head.Length <= TsPacket)
        {
            return false;
        }

        for (var offset = 0; offset < head.Length; offset += TsPacket)
        {
            if (head[offset] != TsSync)
            {
                return false;
            }
        }

        return true;
    }
}
