using System.Globalization;
using System.Text.Json;

namespace Stremora.Modules.Videos.Media;

/// <summary>How a probe ended: the figures, or why the file is not a video this service can decode (in words a client may read).</summary>
internal abstract record ProbeResult
{
    public sealed record Analyzed(VideoMedia Media) : ProbeResult;

    public sealed record Undecodable(string Reason) : ProbeResult;
}

/// <summary>
/// One ffprobe run over a local file: container and stream figures, plus the first packets decoded (so a file whose
/// boxes parse but whose frames do not is refused too). Its output is parsed, never passed on.
/// </summary>
internal static class MediaProbe
{
    private const int MaxOutputChars = 1024 * 1024;

    /// <summary>Probes the upload's spool file (local files only).</summary>
    public static Task<ProbeResult> RunAsync(MediaOptions options, string path, string sniffedContentType, CancellationToken ct) =>
        RunAsync(options, "file:" + path, MediaFormats.FileProtocols, sniffedContentType, ct);

    /// <summary>
    /// Probes a stored file from its provider's URL (the back-fill): ffprobe reads only what it needs with range
    /// requests. The URL is the one storage gives for the stored file, never one a client chose.
    /// </summary>
    public static Task<ProbeResult> RunAsync(MediaOptions options, Uri storedFileUrl, string sniffedContentType, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(storedFileUrl);
        if (storedFileUrl.Scheme != Uri.UriSchemeHttp && storedFileUrl.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Only http(s) URLs are probed, not {storedFileUrl.Scheme}.", nameof(storedFileUrl));
        }

        return RunAsync(options, storedFileUrl.AbsoluteUri, MediaFormats.HttpProtocols, sniffedContentType, ct);
    }

    private static async Task<ProbeResult> RunAsync(MediaOptions options, string input, string protocols, string sniffedContentType, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ffprobe = options.ResolvedFfprobe ?? throw new InvalidOperationException("Media analysis is on but ffprobe was not found (checked at start-up).");
        string[] arguments =
        [
            "-v", "error", "-hide_banner",
            .. MediaFormats.InputLimits(protocols),
            "-read_intervals", "%+#2",
            "-show_entries",
            "format=format_name,duration,bit_rate:stream=index,codec_type,codec_name,width,height,avg_frame_rate,r_frame_rate,bit_rate:stream_side_data=rotation:stream_tags=rotate:stream_disposition=attached_pic:frame=media_type",
            "-of", "json",
            input,
        ];
        var timeout = TimeSpan.FromSeconds(options.ProbeTimeoutSeconds);
        var run = await ChildProcess.RunAsync(ffprobe, arguments, timeout, MaxOutputChars, ct);
        if (run.TimedOut)
        {
            return new ProbeResult.Undecodable($"It could not be analysed within {options.ProbeTimeoutSeconds} s.");
        }

        if (!run.Succeeded)
        {
            return new ProbeResult.Undecodable("Its container could not be read: it is truncated, damaged, or not a format this service decodes.");
        }

        try
        {
            return Parse(run.Output, sniffedContentType);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return new ProbeResult.Undecodable("Its container could not be read: it is truncated, damaged, or not a format this service decodes.");
        }
    }

    internal static ProbeResult Parse(string json, string sniffedContentType)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var streams = root.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
        var video = streams.FirstOrDefault(st => Text(st, "codec_type") == "video" && !IsAttachedPicture(st));
        if (video.ValueKind == JsonValueKind.Undefined)
        {
            return new ProbeResult.Undecodable(streams.Any(st => Text(st, "codec_type") == "audio")
                ? "It has no video stream (it is audio only)."
                : "It has no video stream.");
        }

        var frames = root.TryGetProperty("frames", out var f) ? f.EnumerateArray().ToList() : [];
        if (!frames.Any(frame => Text(frame, "media_type") == "video"))
        {
            return new ProbeResult.Undecodable("Its video stream could not be decoded.");
        }

        var width = Int(video, "width") ?? 0;
        var height = Int(video, "height") ?? 0;
        if (width <= 0 || height <= 0)
        {
            return new ProbeResult.Undecodable("Its video stream has no picture size.");
        }

        var rotation = Rotation(video);
        var (displayWidth, displayHeight) = rotation is 90 or 270 ? (height, width) : (width, height);
        var format = root.TryGetProperty("format", out var fmt) ? fmt : default;
        var audio = streams.FirstOrDefault(st => Text(st, "codec_type") == "audio");
        var media = new VideoMedia(
            DurationSeconds: format.ValueKind == JsonValueKind.Object ? Number(format, "duration") : null,
            Width: displayWidth,
            Height: displayHeight,
            Rotation: rotation,
            VideoCodec: Text(video, "codec_name") ?? "unknown",
            AudioCodec: audio.ValueKind == JsonValueKind.Undefined ? null : Text(audio, "codec_name"),
            FrameRate: Rate(Text(video, "avg_frame_rate")) ?? Rate(Text(video, "r_frame_rate")),
            BitRate: (format.ValueKind == JsonValueKind.Object ? Long(format, "bit_rate") : null) ?? Long(video, "bit_rate"),
            Container: MediaFormats.ContainerFor(sniffedContentType, format.ValueKind == JsonValueKind.Object ? Text(format, "format_name") : null));
        return new ProbeResult.Analyzed(media);
    }

    private static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var a) && a.ValueKind == JsonValueKind.Number && a.GetInt32() == 1;

    /// <summary>The display matrix's rotation as ffprobe reports it (or the older "rotate" tag), in quarter turns, as 0-359.</summary>
    private static int Rotation(JsonElement stream)
    {
        double? degrees = null;
        if (stream.TryGetProperty("side_data_list", out var sides))
        {
            degrees = sides.EnumerateArray().Select(side => Number(side, "rotation")).FirstOrDefault(r => r is not null);
        }

        if (degrees is null && stream.TryGetProperty("tags", out var tags) && Number(tags, "rotate") is { } tag)
        {
            degrees = tag;
        }

        var quarters = (int)Math.Round((degrees ?? 0) / 90.0) * 90;
        return ((quarters % 360) + 360) % 360;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        return value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed) ? parsed : null;
    }

    private static int? Int(JsonElement element, string name) => Number(element, name) is { } n && n is >= 0 and <= int.MaxValue ? (int)n : null;

    private static long? Long(JsonElement element, string name) => Number(element, name) is { } n && n is >= 0 and < long.MaxValue ? (long)n : null;

    /// <summary>"30000/1001" as 29.97; "0/0" (unknown) as null.</summary>
    private static double? Rate(string? fraction)
    {
        if (fraction?.Split('/') is not [var num, var den]
            || !double.TryParse(num, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            || !double.TryParse(den, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            || d == 0 || n <= 0)
        {
            return null;
        }

        return Math.Round(n / d, 3);
    }
}
