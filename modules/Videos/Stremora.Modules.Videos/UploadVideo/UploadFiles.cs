using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.Media;
using MultipartSection = Microsoft.AspNetCore.WebUtilities.MultipartSection;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// One file part: sniffed from its first bytes, the stream opened if it is the first file, streamed through
/// storage (the video analysed on the way), and the outcome recorded. Anything but "stored" ends the upload
/// (<see cref="UploadRejectedException"/>). A video sent without a thumbnail gets its poster frame once the form is read.
/// </summary>
internal sealed class UploadFiles(IVideoStorage storage, UploadForm form, MediaAnalysis media) : IDisposable
{
    private const int MaxDeclaredTypeLength = 255;

    private MediaInspection? _inspection;

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

        var inspection = kind == StoredFileKind.Video ? media.Begin(sniffed, () => upload.Form.Thumbnail is null) : null;
        _inspection ??= inspection;
        var request = new StoreFileRequest(kind, StorageKey.ForFile(upload.VideoId, kind), sniffed, form.MaxBytes(kind), inspection is null ? null : inspection.InspectAsync);
        switch (await storage.StoreAsync(request, part.Content, ct))
        {
            case StoreOutcome.Stored stored:
                await upload.RecordAsync(stored, inspection?.AnalysisEvents() ?? [], ct);
                return new UploadedFile(sniffed, stored.File.Bytes);
            case StoreOutcome.Refused refused:
                throw UploadRejectedException.Problem(StatusCodes.Status415UnsupportedMediaType, "Not a decodable video", $"The 'video' part looks like a video by its first bytes, but it cannot be decoded as one: {refused.Reason}");
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

    /// <summary>No thumbnail was sent: store the poster frame made from the video (or record why there is none).</summary>
    public async Task StorePosterAsync(UploadStream upload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (upload.Form.Thumbnail is null && _inspection is { } inspection)
        {
            await upload.RecordPosterAsync(await inspection.StorePosterAsync(storage, upload.VideoId, form.MaxBytes(StoredFileKind.Thumbnail), ct), ct);
        }
    }

    /// <summary>Removes a poster frame that was not stored.</summary>
    public void Dispose() => _inspection?.Dispose();

    /// <summary>Recorded as sent only when it is a plausible media type: a header may carry anything (NUL, kilobytes).</summary>
    private static string? DeclaredType(MultipartSection section) =>
        MediaTypeHeaderValue.TryParse(section.ContentType, out var declared) && section.ContentType!.Length <= MaxDeclaredTypeLength && !section.ContentType.Any(char.IsControl)
            ? declared.ToString()
            : null;
}
