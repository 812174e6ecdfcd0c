using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Stremora.Modules.Storage.Contracts;
using Stremora.SharedKernel;
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
        var head = new byte[ContentSniffer.PrefixLength];
        var headLength = await section.Body.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        if (headLength == 0)
        {
            // The validator owns the rule; only its verdict on this part matters here (the other fields may not have arrived yet).
            var verdict = upload.Form.ValidateEmptyFile(kind);
            throw new UploadRejectedException(verdict, $"the {name} is empty");
        }

        var sniffed = (kind == StoredFileKind.Video ? ContentSniffer.SniffVideo(head.AsSpan(0, headLength)) : ContentSniffer.SniffImage(head.AsSpan(0, headLength)))
            ?? throw (kind == StoredFileKind.Video
                ? UploadRejectedException.Problem(StatusCodes.Status415UnsupportedMediaType, "Not a video", "The 'video' part is not a video this service accepts (MP4, QuickTime, 3GP, WebM, Matroska, AVI, FLV, ASF/WMV, MPEG-PS or MPEG-TS), judged by its bytes, whatever type it declares.")
                : UploadRejectedException.Problem(StatusCodes.Status415UnsupportedMediaType, "Not an image", "The 'thumbnail' part is not a JPEG, PNG or WebP image, judged by its bytes, whatever type it declares."));

        if (!upload.Started)
        {
            // Fields sent before the files are checked now, before anything is stored.
            UploadRejectedException.ThrowIfInvalid(upload.Form.ValidateArrivedFields(), "the form is invalid");
            await upload.StartAsync(kind, DeclaredType(section), ct);
        }

        var request = new StoreFileRequest(kind, StorageKey.ForFile(upload.VideoId, kind), sniffed, form.MaxBytes(kind));
        switch (await storage.StoreAsync(request, new PrefixedStream(head.AsMemory(0, headLength), section.Body), ct))
        {
            case StoreOutcome.Stored stored:
                await upload.RecordAsync(stored, ct);
                return new UploadedFile(sniffed, stored.File.Bytes);
            case StoreOutcome.AllFailed failed:
                upload.UnrecordedAttempts.AddRange(failed.Attempts);
                throw new UploadRejectedException(UploadProblems.AllProvidersFailed(failed.Attempts), "every storage provider failed");
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
