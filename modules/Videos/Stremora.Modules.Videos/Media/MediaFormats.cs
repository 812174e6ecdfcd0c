namespace Stremora.Modules.Videos.Media;

/// <summary>What ffprobe and ffmpeg may open: only the containers the upload sniffer accepts, only common codecs, only local files.</summary>
internal static class MediaFormats
{
    public const string Demuxers = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,asf,mpeg,mpegts,mpegvideo";

    public const string Decoders =
        "h264,hevc,vp8,vp9,av1,libdav1d,mpeg4,mpeg2video,mpeg1video,h263,msmpeg4v2,msmpeg4v3,wmv1,wmv2,wmv3,vc1,flv,prores,theora,mjpeg,dvvideo," +
        "aac,mp3,mp3float,mp2,mp2float,opus,libopus,vorbis,ac3,eac3,flac,alac,wmav1,wmav2,amrnb,amrwb," +
        "pcm_s16le,pcm_s16be,pcm_s24le,pcm_s32le,pcm_f32le,pcm_u8,pcm_mulaw,pcm_alaw,adpcm_ima_qt";

    /// <summary>Uploads are probed on their spool file: nothing but the local file.</summary>
    public const string FileProtocols = "file";

    /// <summary>The back-fill reads a stored file from its provider's URL: HTTP(S) and what it runs on, nothing else.</summary>
    public const string HttpProtocols = "http,https,tcp,tls";

    /// <summary>The arguments that bound what the child opens: input over these protocols only, these demuxers and decoders.</summary>
    public static IEnumerable<string> InputLimits(string protocols = FileProtocols) =>
        ["-protocol_whitelist", protocols, "-format_whitelist", Demuxers, "-codec_whitelist", Decoders];

    /// <summary>The contract's container name, from the type the upload sniffer found (ffprobe names families, e.g. "mov,mp4,...").</summary>
    public static string ContainerFor(string sniffedContentType, string? ffprobeFormat) => sniffedContentType switch
    {
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/3gpp" => "3gp",
        "video/3gpp2" => "3g2",
        "video/webm" => "webm",
        "video/x-matroska" => "mkv",
        "video/x-msvideo" => "avi",
        "video/x-flv" => "flv",
        "video/x-ms-asf" => "asf",
        "video/mpeg" => "mpeg",
        "video/mp2t" => "mpegts",
        _ => ffprobeFormat?.Split(',')[0] ?? "unknown",
    };
}
