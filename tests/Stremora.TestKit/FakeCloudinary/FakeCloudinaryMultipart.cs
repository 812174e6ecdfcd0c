using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Stremora.TestKit.FakeCloudinary;

/// <summary>An upload request's form: the text fields, and the file part streamed to a temp file (never held in memory).</summary>
internal sealed class FakeCloudinaryForm : IDisposable
{
    public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);

    public string? FilePath { get; set; }

    public string? FileName { get; set; }

    /// <summary>Bytes received in the file part (counted past the limit too, without storing them).</summary>
    public long FileBytes { get; set; }

    public bool TooLarge { get; set; }

    public void Dispose()
    {
        if (FilePath is not null && File.Exists(FilePath))
        {
            File.Delete(FilePath);
        }
    }

    /// <summary>Null when the body is not multipart/form-data.</summary>
    public static async Task<FakeCloudinaryForm?> ReadAsync(HttpRequest request, string incomingDirectory, long maxFileBytes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return null;
        }

        var form = new FakeCloudinaryForm();
        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (name == "file" && disposition.IsFileDisposition())
                {
                    form.FileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    form.FilePath = Path.Combine(incomingDirectory, Guid.NewGuid().ToString("N"));
                    await form.ReceiveFileAsync(section.Body, maxFileBytes, cancellationToken);
                }
                else
                {
                    using var text = new StreamReader(section.Body);
                    form.Fields[name] = await text.ReadToEndAsync(cancellationToken);
                }
            }

            return form;
        }
        catch
        {
            form.Dispose();
            throw;
        }
    }

    private async Task ReceiveFileAsync(Stream body, long maxFileBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        await using var file = new FileStream(FilePath!, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, useAsync: true);
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            FileBytes += read;
            TooLarge |= FileBytes > maxFileBytes;
            if (!TooLarge)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
    }
}
