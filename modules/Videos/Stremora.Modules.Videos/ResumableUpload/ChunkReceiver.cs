using System.Buffers;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using MinDataRate = Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>One chunk's outcome: the upload as it now stands, or the problem to answer.</summary>
internal sealed record ChunkOutcome(ResumableUpload? Upload, ProblemHttpResult? Problem);

/// <summary>
/// Takes one chunk (a PATCH, or the body of a creation with upload) under the upload's advisory lock: the offset
/// must be the staged one, the bytes are appended to the staged file and flushed to disk before the new offset is
/// recorded, so an offset ever answered survives a crash. A chunk cut off midway keeps what arrived (without a
/// checksum) or nothing (with one). Each recorded offset wakes the upload's forwarder, started here once the sniffed
/// prefix is in; the last chunk is answered once the upload is stored (by that forwarder, or from the staged file).
/// </summary>
internal sealed class ChunkReceiver(
    ResumableUploads uploads,
    StagedFiles staging,
    Forwarders forwarders,
    IDocumentStore store,
    NpgsqlDataSource database,
    IOptions<ResumableUploadOptions> options,
    IOptions<UploadOptions> limits,
    TimeProvider clock,
    IHostApplicationLifetime lifetime)
{
    private const int BufferSize = 64 * 1024;

    /// <summary>A long chunk without a checksum records its progress this often, so a crash mid-chunk loses at most this much.</summary>
    private const long CheckpointBytes = 8L * 1024 * 1024;

    public async Task<ChunkOutcome> ReceiveAsync(HttpContext http, Guid id, long clientOffset, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!Tus.IsChunk(http.Request))
        {
            return new(null, Tus.NotAChunk());
        }

        if (!TusChecksum.TryRead(http.Request, out var checksum, out var badChecksum))
        {
            return new(null, badChecksum);
        }

        using var _ = checksum;
        await using var held = await AdvisoryLock.TryAcquireAsync(database, ResumableUpload.LockKey(id), ct);
        if (held is null)
        {
            return new(null, Tus.Problem(StatusCodes.Status423Locked, "Upload busy", $"Another request is writing to upload {id}; send HEAD once it is done and go on from its Upload-Offset."));
        }

        var (video, upload) = await uploads.LoadAsync(id, ct);
        if (uploads.Refuse(id, video, upload, http.User) is { } refused)
        {
            return new(null, refused);
        }

        if (clientOffset != upload!.Offset)
        {
            return new(null, Tus.Problem(StatusCodes.Status409Conflict, "Offset mismatch", $"Upload {id} has {upload.Offset} bytes; this chunk starts at {clientOffset}. Send HEAD and go on from its Upload-Offset."));
        }

        var remaining = upload.Length - upload.Offset;
        if (http.Request.ContentLength > remaining)
        {
            return new(null, Tus.Problem(StatusCodes.Status413PayloadTooLarge, "Chunk too large", $"Upload {id} needs {remaining} more bytes; this chunk has {http.Request.ContentLength}."));
        }

        LimitBody(http, remaining);
        var (received, bodyError) = await WriteChunkAsync(http.Request.Body, upload, checksum, ct);
        if (bodyError is not null && received == 0)
        {
            return new(null, bodyError);
        }

        var updated = upload with { Offset = upload.Offset + received, ExpiresAt = clock.GetUtcNow() + options.Value.ExpireAfter };
        if (upload.Offset < ContentSniffer.PrefixLength && (updated.Offset >= ContentSniffer.PrefixLength || updated.IsComplete)
            && ContentSniffer.SniffVideo(await staging.HeadAsync(id, ContentSniffer.PrefixLength, CancellationToken.None)) is null)
        {
            await uploads.FailAsync(video!, ResumableUploads.NotAVideo, [], CancellationToken.None);
            return new(null, Tus.Problem(StatusCodes.Status415UnsupportedMediaType, "Not a video", "The upload's first bytes are not a video this service accepts (MP4, QuickTime, 3GP, WebM, Matroska, AVI, FLV, ASF/WMV, MPEG-PS or MPEG-TS), whatever type it declares; the upload was terminated."));
        }

        // Recorded even when the client went away mid-chunk: those bytes are flushed, so it can resume after them.
        if (!await RecordAsync(video!, updated, CancellationToken.None))
        {
            return new(null, Tus.Gone(id, "ended while this chunk arrived"));
        }

        forwarders.Signal(id);
        if (!updated.IsComplete && updated.Offset >= ContentSniffer.PrefixLength)
        {
            // Storage keeps pace with the upload; the last chunk then waits for this forwarder instead of storing everything.
            forwarders.StartIfIdle(id, token => uploads.ForwardAsync(id, token));
        }

        if (bodyError is not null)
        {
            return new(updated, bodyError);
        }

        if (updated.IsComplete)
        {
            // Not the request's token: a client that stops waiting must not stop storing bytes it was told are safe.
            await uploads.CompleteAsync(id, lifetime.ApplicationStopping);
        }

        return new(updated, null);
    }

    /// <returns>The bytes written and flushed, and the problem when the chunk did not arrive whole (or did not match its checksum).</returns>
    private async Task<(long Received, ProblemHttpResult? Problem)> WriteChunkAsync(Stream body, ResumableUpload upload, TusChecksum? checksum, CancellationToken ct)
    {
        var (id, offset, remaining) = (upload.Id, upload.Offset, upload.Length - upload.Offset);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long received = 0;
        var checkpoint = CheckpointBytes;
        ProblemHttpResult? problem = null;
        await using var file = staging.OpenAt(id, offset);
        try
        {
            while (true)
            {
                var read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), ct);
                if (read == 0)
                {
                    break;
                }

                if (received + read > remaining)
                {
                    problem = TooLarge(id, remaining);
                    break;
                }

                await file.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None);
                checksum?.Append(buffer.AsSpan(0, read));
                received += read;
                if (checksum is null && received >= checkpoint && offset + received < upload.Length)
                {
                    file.Flush(flushToDisk: true);
                    await SaveOffsetAsync(upload with { Offset = offset + received }, CancellationToken.None);
                    forwarders.Signal(id);
                    checkpoint += CheckpointBytes;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            problem = TooLarge(id, remaining);
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            problem = Tus.Problem(StatusCodes.Status400BadRequest, "Chunk cut off", $"The chunk ended early ({e.Message}); send HEAD and go on from its Upload-Offset.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var tooLarge = problem?.StatusCode == StatusCodes.Status413PayloadTooLarge;
        if (tooLarge || (checksum is not null && (problem is not null || !checksum.Matches())))
        {
            // A chunk with a checksum counts whole or not at all; one going past Upload-Length not at all.
            file.SetLength(offset);
            received = 0;
            problem ??= Tus.Problem(Tus.ChecksumMismatch, "Checksum mismatch", $"The chunk's {checksum!.Algorithm} is not the one in {Tus.ChecksumHeader}; it was discarded. Send it again.");
        }

        file.Flush(flushToDisk: true);
        return (received, problem);
    }

    private async Task SaveOffsetAsync(ResumableUpload upload, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Store(upload);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>The new offset (and, with the last byte, "storing" and the retry that covers a crash) in one transaction.</summary>
    private async Task<bool> RecordAsync(VideoDetails video, ResumableUpload updated, CancellationToken ct)
    {
        if (!updated.IsComplete)
        {
            await SaveOffsetAsync(updated, ct);
            return true;
        }

        await using var session = store.LightweightSession();
        session.Store(updated);
        uploads.ScheduleStoring(video.Id, attempt: 2);
        return await session.TryAppendAsync(video.Id, video.Version, [new VideoBytesReceived(updated.Length, clock.GetUtcNow())], ct);
    }

    private static ProblemHttpResult TooLarge(Guid id, long remaining) =>
        Tus.Problem(StatusCodes.Status413PayloadTooLarge, "Chunk too large", $"Upload {id} needed {remaining} more bytes; the chunk went past them and was discarded.");

    /// <summary>
    /// Kestrel's body limits for this request only: the bytes the upload still needs, and the upload route's slowest
    /// rate. A body without Content-Length (chunked) gets no size limit from Kestrel, which refused one of exactly
    /// its limit's size: the read loop refuses the first byte past what the upload needs.
    /// </summary>
    private void LimitBody(HttpContext http, long remaining)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = http.Request.ContentLength is null ? null : remaining;
        }

        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } bodyRate)
        {
            bodyRate.MinDataRate = new MinDataRate(limits.Value.MinBodyBytesPerSecond, TimeSpan.FromSeconds(limits.Value.BodyRateGracePeriodSeconds));
        }
    }
}
