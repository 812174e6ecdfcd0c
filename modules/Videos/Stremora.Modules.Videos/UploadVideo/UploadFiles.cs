using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Stremora.Modules.Storage.Contracts;
using MultipartSection = Microsoft.AspNetCore.WebUtilities.MultipartSection;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// One file part: sniffed from its first bytes, the stream opened if it is the first file, streamed through
/// storage, and the outcome recorded. Anything but "stored" ends the upload (<see cref="UploadRejectedException"/>).
/// </summary>
internal sealed class UploadFiles(IVideoStorage storage, UploadForm form)
{
    private const int MaxDeclaredTypeLength = 255;

    public async Task<UploadedFile> StoreAsync(UploadStream upload, StoredFileKind kind, MultipartSection section, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(section);
        var name = StorageKey.FileName(kind);
        var part = await ContentSniffer.ReadAsync(section.Body, kind, ct);
        if (part.IsEmpty)
        {
            // The validator owns the rule; only its verdict on this part matters here (the other fields may not have arrived yet).
            var verdict = upload.Form.ValidateEmptyFile(kind);
            throw new UploadRejectedException(verdict, $"the {name} is empty");
        }

        if (part.ContentType is not { } sniffed)
        {
            var (title, detail) = ContentSniffer.Unsupported(kind);
            throw UploadRejectedException.Problem(StatusCodes.Status415UnsupportedMediaType, title, detail);
        }

        if (!upload.Started)
        {
            // Fields sent before the files are checked now, before anything is stored.
            UploadRejectedException.ThrowIfInvalid(upload.Form.ValidateArrivedFields(), "the form is invalid");
            await upload.StartAsync(kind, DeclaredType(section), ct);
        }

        var request = new StoreFileRequest(kind, StorageKey.ForFile(upload.VideoId, kind), sniffed, form.MaxBytes(kind));
        switch (await storage.StoreAsync(request, part.Content, ct))
        {
            case StoreOutcome.Stored stored:
                await upload.RecordAsync(stored, ct);
                return new UploadedFile(sniffed, stored.File.Bytes);
            case StoreOutcome.AllFailed failed:
                upload.UnrecordedAttempts.AddRange(failed.Attempts);
                throw new UploadRejectedException(VideoProblems.StorageUnavailable("the upload", failed.Attempts), "every storage provider failed");
            case StoreOutcome.TooLarge tooLarge:
                throw new UploadRejectedException(UploadProblems.TooLarge(tooLarge.Message), tooLarge.Message);
            case StoreOutcome.Aborted aborted:
                // The body itself failed (client gone, malformed, too slow): answered like any other body error.
                ExceptionDispatchInfo.Throw(aborted.Cause);
                break;
        }

        throw new InvalidOperationException("Storage ended the upload in a way this endpoint does not know.");
    }

    /// <summary>Recorded as sent only when it is a plausible media type: a header may carry anything (NUL, kilobytes).</summary>
    private static string? DeclaredType(MultipartSection section) =>
        MediaTypeHeaderValue.TryParse(section.ContentType, out var declared) && section.ContentType!.Length <= MaxDeclaredTypeLength && !section.ContentType.Any(char.IsControl)
            ? declared.ToString()
            : null;
}
