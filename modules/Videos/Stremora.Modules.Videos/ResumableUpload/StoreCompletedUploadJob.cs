using System.ComponentModel;
using Hangfire;
using Npgsql;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// The durable retry of storing a completed upload: scheduled before each try (the last chunk's request is the
/// first), so a crash or every provider failing leaves the next try in Hangfire until the upload is stored or,
/// after the last try, failed. Does nothing once the upload is no longer "storing"; skips a try while another
/// holds the upload or its storing lock (that one is storing it, and the next try is already scheduled).
/// </summary>
internal sealed class StoreCompletedUploadJob(ResumableUploads uploads, NpgsqlDataSource database)
{
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = new[] { 10, 60, 300 })]
    [DisplayName("Store completed upload {0}, attempt {1}")]
    public async Task RunAsync(Guid videoId, int attempt, CancellationToken cancellationToken)
    {
        var (video, _) = await uploads.LoadAsync(videoId, cancellationToken);
        if (video is not { Status: VideoStatus.Storing })
        {
            return;
        }

        uploads.ScheduleStoring(videoId, attempt + 1);
        await using var held = await AdvisoryLock.TryAcquireAsync(database, ResumableUpload.LockKey(videoId), cancellationToken);
        if (held is not null)
        {
            await uploads.StoreAsync(videoId, attempt, cancellationToken);
        }
    }
}
