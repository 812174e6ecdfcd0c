using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Stremora.TestKit.Media;

/// <summary>
/// Real video files made by ffmpeg at test time (never committed): each distinct recipe is encoded once per test run
/// into a folder of this process's own, then reused. <see cref="Clip"/> is the small clip every "a video" starts with;
/// <see cref="FreeBox"/> pads it to any length with an MP4 <c>free</c> box, which players and ffprobe skip.
/// </summary>
public static class TestVideos
{
    /// <summary>Length of an MP4 box header with a 64-bit size (used when the padding passes 4 GiB).</summary>
    public const int LargeFreeBoxHeader = 16;

    private static readonly TimeSpan EncodeTimeout = TimeSpan.FromMinutes(2);
    private static readonly ConcurrentDictionary<string, Lazy<string>> Encoded = new(StringComparer.Ordinal);
    private static readonly Lazy<string> Folder = new(CreateFolder);

    /// <summary>2 s of 32x32 H.264 at 5 fps, no audio, <c>moov</c> first: about 2 KB, a valid MP4 on its own.</summary>
    public static readonly IReadOnlyList<string> ClipRecipe =
    [
        "-f", "lavfi", "-i", "testsrc=duration=2:size=32x32:rate=5",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "51", "-g", "5", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart",
    ];

    private static readonly Lazy<byte[]> ClipBytes = new(() => File.ReadAllBytes(Encode("clip.mp4", ClipRecipe)));

    /// <summary>The small clip (a fresh copy each time).</summary>
    public static byte[] Clip => [.. ClipBytes.Value];

    /// <summary>How long <see cref="ClipRecipe"/> plays.</summary>
    public static double ClipSeconds => 2.0;

    /// <summary>The smallest video <see cref="Samples.Mp4(int, byte)"/> can make: the clip and an empty <c>free</c> box.</summary>
    public static int MinimumLength => ClipBytes.Value.Length + 8;

    /// <summary>
    /// Encodes <paramref name="ffmpegArguments"/> (inputs, codecs, flags; the output path is appended) once per test
    /// run and returns the file's path; the same name and arguments give the same file. Deterministic flags are added
    /// (single thread, bit-exact, no metadata) so that the same ffmpeg makes the same bytes every run.
    /// </summary>
    public static string Encode(string fileName, IReadOnlyList<string> ffmpegArguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(ffmpegArguments);
        var recipe = string.Join('\u001f', ffmpegArguments);
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipe)))[..12];
        var path = Path.Combine(Folder.Value, $"{id}-{fileName}");
        return Encoded.GetOrAdd(path, p => new Lazy<string>(() => Run(p, ffmpegArguments))).Value;
    }

    /// <summary>
    /// The header of a <c>free</c> box that spans <paramref name="boxLength"/> bytes, itself included (8 bytes, or
    /// 16 when the box needs a 64-bit size).
    /// </summary>
    public static byte[] FreeBoxHeader(long boxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(boxLength, 8);
        if (boxLength <= uint.MaxValue)
        {
            var header = new byte[8];
            BinaryPrimitives.WriteUInt32BigEndian(header, (uint)boxLength);
            "free"u8.CopyTo(header.AsSpan(4));
            return header;
        }

        var large = new byte[LargeFreeBoxHeader];
        BinaryPrimitives.WriteUInt32BigEndian(large, 1);
        "free"u8.CopyTo(large.AsSpan(4));
        BinaryPrimitives.WriteUInt64BigEndian(large.AsSpan(8), (ulong)boxLength);
        return large;
    }

    /// <summary>
    /// The first bytes of a video of <paramref name="totalLength"/> bytes: <paramref name="video"/> (the clip unless
    /// given), then the header of the <c>free</c> box whose body is whatever follows (e.g. a generated stream's bytes).
    /// </summary>
    public static byte[] PaddedPrefix(long totalLength, byte[]? video = null)
    {
        var clip = video ?? ClipBytes.Value;
        var boxLength = totalLength - clip.Length;
        var header = FreeBoxHeader(boxLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(boxLength, header.Length, nameof(totalLength));
        return [.. clip, .. header];
    }

    /// <summary>The picture size ffprobe reads from a file (a poster JPEG, a video), or null when it reads none.</summary>
    public static (int Width, int Height)? PictureSize(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var path = Path.Combine(Folder.Value, $"probe-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, file);
        try
        {
            var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in (string[])["-v", "quiet", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", path])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("ffprobe did not start.");
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Split(',') is [var w, var h] && int.TryParse(w, out var width) && int.TryParse(h, out var height)
                ? (width, height)
                : null;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Run(string output, IReadOnlyList<string> arguments)
    {
        var partial = output + ".partial";
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-nostdin", "-v", "error", "-y", .. arguments, "-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"])
        {
            start.ArgumentList.Add(argument);
        }

        // The muxer is chosen from the final name, so the partial file names it explicitly.
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(MuxerFor(output));
        start.ArgumentList.Add(partial);

        var errors = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        if (!process.Start())
        {
            throw new InvalidOperationException("ffmpeg did not start (install Debian's ffmpeg: ./stremora test does).");
        }

        process.BeginErrorReadLine();
        if (!process.WaitForExit(EncodeTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ffmpeg did not make {Path.GetFileName(output)} within {EncodeTimeout}.");
        }

        // Waits for the error output to be read to its end too.
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            lock (errors)
            {
                throw new InvalidOperationException($"ffmpeg could not make {Path.GetFileName(output)} (exit {process.ExitCode}): {errors}");
            }
        }

        File.Move(partial, output, overwrite: true);
        return output;
    }

    private static string MuxerFor(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".mp4" => "mp4",
        ".mov" => "mov",
        ".webm" => "webm",
        ".mkv" => "matroska",
        ".m4a" => "ipod",
        ".jpg" => "image2",
        ".png" => "image2",
        var other => throw new ArgumentException($"No muxer known for '{other}'.", nameof(path)),
    };

    private static string CreateFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "stremora-test-videos", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Another test host of this run may still read it; the temp folder is cleaned by the OS.
            }
        };
        return folder;
    }
}
