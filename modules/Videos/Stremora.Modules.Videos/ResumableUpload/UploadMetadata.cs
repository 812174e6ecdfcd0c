using System.Text;
using FluentValidation;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// Upload-Metadata: comma-separated <c>key base64(value)</c> pairs. The keys this service reads are title,
/// description, filename and filetype; others are kept as sent and ignored.
/// </summary>
internal sealed record UploadMetadata(string? Title, string? Description, string? FileName, string? FileType)
{
    private static readonly Validator Rules = new();

    /// <returns>The metadata, or null with <paramref name="error"/> saying what is malformed.</returns>
    public static UploadMetadata? Parse(string? header, out string? error)
    {
        error = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 2 || values.ContainsKey(parts[0]))
            {
                error = $"Upload-Metadata pair '{Shorten(pair)}' is not 'key base64value', or its key is repeated.";
                return null;
            }

            var value = parts.Length == 2 ? Decode(parts[1]) : "";
            if (value is null)
            {
                error = $"Upload-Metadata value of '{Shorten(parts[0])}' is not base64-encoded UTF-8.";
                return null;
            }

            values[parts[0]] = value;
        }

        return new UploadMetadata(values.GetValueOrDefault("title"), values.GetValueOrDefault("description"), values.GetValueOrDefault("filename"), values.GetValueOrDefault("filetype"));
    }

    public FluentValidation.Results.ValidationResult Validate() => Rules.Validate(this);

    private static string? Decode(string base64)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(base64));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    internal sealed class Validator : AbstractValidator<UploadMetadata>
    {
        public Validator()
        {
            RuleFor(m => m.Title).ValidTitle().OverridePropertyName("title");
            RuleFor(m => m.Description).ValidDescription().OverridePropertyName("description");
        }
    }
}
