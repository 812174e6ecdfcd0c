using FluentValidation.Results;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>The upload is refused for a reason the client can fix: a problem to answer with, or invalid fields.</summary>
internal sealed class UploadRejectedException : Exception
{
    public UploadRejectedException(ProblemHttpResult result, string reason)
        : base(reason) => Result = result;

    public UploadRejectedException(ValidationResult invalid, string reason)
        : base(reason) => Failures = invalid.Errors;

    public ProblemHttpResult? Result { get; }

    public IReadOnlyList<ValidationFailure> Failures { get; } = [];

    /// <summary>A problem whose recorded reason is its title and detail.</summary>
    public static UploadRejectedException Problem(int status, string title, string detail) =>
        new(UploadProblems.Problem(status, title, detail), title.ToLowerInvariant() + ": " + detail);

    public static void ThrowIfInvalid(ValidationResult verdict, string reason)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (!verdict.IsValid)
        {
            throw new UploadRejectedException(verdict, reason + ": " + verdict);
        }
    }
}

/// <param name="Reason">Recorded on the video's stream (<see cref="VideoUploadFailed"/>).</param>
/// <param name="Problem">The answer; null when the upload ends in the exception itself (rethrown).</param>
/// <param name="Invalid">Field failures, answered through FastEndpoints' own 400 so it looks like every other.</param>
internal sealed record UploadFailure(string Reason, ProblemHttpResult? Problem, IReadOnlyList<ValidationFailure> Invalid);

/// <summary>Every way an upload can go wrong, as the reason it records and the problem it answers.</summary>
internal static class UploadProblems
{
    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public static ProblemHttpResult TooLarge(string detail) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", detail);

    /// <param name="bodyEnded">The whole request body arrived (then a reader error is the client's malformed form).</param>
    public static UploadFailure For(Exception e, bool bodyEnded, UploadOptions limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return e switch
        {
            UploadRejectedException rejected => new(rejected.Message, rejected.Result, rejected.Failures),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Answer(
                "the request body passed the size limit",
                TooLarge($"The request passed the limit of {limits.MaxRequestBytes} bytes.")),
            BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => Answer(
                "the request body arrived too slowly",
                Problem(StatusCodes.Status408RequestTimeout, "Upload too slow", $"The request body arrived slower than {limits.MinBodyBytesPerSecond} bytes per second; the upload was abandoned.")),
            // The server's own disk failed: in words, with no path (the log has it).
            StorageSpoolException => Answer(
                "this server could not keep a temporary copy of the upload",
                Problem(StatusCodes.Status503ServiceUnavailable, "Storage failed", "The server could not store the upload; nothing was kept. Try again later.")),
            // The whole body arrived but the multipart reader ran out of it: no closing boundary, or the wrong one.
            IOException when bodyEnded && !ct.IsCancellationRequested => Answer(
                "the multipart body is truncated",
                Problem(StatusCodes.Status400BadRequest, "Malformed form", "The multipart/form-data body ended before its closing boundary (truncated, or not using the boundary its Content-Type declares): " + e.Message)),
            InvalidDataException or BadHttpRequestException when !ct.IsCancellationRequested => Answer(
                "the multipart body is malformed",
                Problem(StatusCodes.Status400BadRequest, "Malformed form", "The multipart/form-data body could not be read: " + e.Message)),
            // Interrupted request, catalog down, ...: nothing half-written may stay behind, and the exception goes on.
            _ => new(ct.IsCancellationRequested ? "the client went away mid-upload" : "the upload failed unexpectedly", null, []),
        };
    }

    private static UploadFailure Answer(string reason, ProblemHttpResult problem) => new(reason, problem, []);
}
