using System.Net;
using System.Text.Json;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Cloudinary;

/// <summary>Turns Cloudinary's answers into <see cref="StorageProviderException"/>s, classified and free of secrets.</summary>
internal static class CloudinaryErrors
{
    private const int MaxMessageLength = 300;

    /// <summary>420/423/429, timeouts and 5xx may pass; 400/401/403/404/409 and other refusals will not.</summary>
    public static bool IsTransient(HttpStatusCode status) => (int)status switch
    {
        408 or 420 or 423 or 429 or 499 => true,
        >= 500 => true,
        _ => false,
    };

    public static StorageProviderException FromResponse(HttpStatusCode status, string body, params string?[] secrets)
    {
        var message = Redact(ErrorMessage(body) ?? "(no error message)", secrets);
        return new StorageProviderException(CloudinaryProvider.ProviderName, $"cloudinary answered {(int)status}: {message}", IsTransient(status))
        {
            RefusedTheFile = StorageProviderException.IsRefusalOfTheFile((int)status),
            PublicMessage = InWords(status),
        };
    }

    /// <summary>The answer as users see it: its meaning and status, none of Cloudinary's own text.</summary>
    public static string InWords(HttpStatusCode status) => (int)status switch
    {
        401 or 403 => $"cloudinary refused the service's credentials ({(int)status})",
        420 or 429 => $"cloudinary is limiting the request rate ({(int)status})",
        408 or 499 => $"cloudinary timed out ({(int)status})",
        >= 500 => $"cloudinary failed with a server error ({(int)status})",
        var code when StorageProviderException.IsRefusalOfTheFile(code) => $"cloudinary refused the file ({code})",
        var code => $"cloudinary refused the upload ({code})",
    };

    public static StorageProviderException Unreadable(string what, Exception? inner = null) =>
        new(CloudinaryProvider.ProviderName, $"cloudinary answered with {what}", isTransient: true, inner);

    public static StorageProviderException Unreachable(Exception inner) =>
        new(CloudinaryProvider.ProviderName, $"cloudinary could not be reached: {inner.Message}", isTransient: true, inner) { PublicMessage = "cloudinary could not be reached" };

    private static string? ErrorMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Cloudinary echoes the string it signed on signature errors: keep messages short and never carry a secret.</summary>
    private static string Redact(string message, string?[] secrets)
    {
        var cut = message.IndexOf("String to sign", StringComparison.OrdinalIgnoreCase);
        if (cut >= 0)
        {
            message = message[..cut].TrimEnd(' ', '.', '-') + ".";
        }

        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret))
            {
                message = message.Replace(secret, "[redacted]", StringComparison.Ordinal);
            }
        }

        return message.Length <= MaxMessageLength ? message : message[..MaxMessageLength] + "…";
    }
}
