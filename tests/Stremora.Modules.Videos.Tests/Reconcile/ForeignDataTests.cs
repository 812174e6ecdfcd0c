using Amazon.S3.Model;
using Stremora.Modules.Videos.AbandonedUploads;
using Stremora.Modules.Videos.Reconcile;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.Reconcile;

/// <summary>A bucket or account shared with someone else: maintenance removes only what carries one of the service's keys.</summary>
[Collection(MaintenanceApiGroup.Name)]
public sealed class ForeignDataTests(MaintenanceApiFactory api)
{
    [Fact]
    public async Task Reconciliation_deletes_orphans_with_our_keys_and_leaves_anything_else_under_or_beside_the_prefix_alone()
    {
        var orphan = $"stremora/videos/{Guid.CreateVersion7():N}/video";
        await api.PutS3Async(orphan, Samples.Mp4(2048, seed: 130));
        await api.PutS3Async("stremora/backups/notes.txt", Samples.Mp4(2048, seed: 131));
        await api.PutS3Async("stremora-backups/db.dump", Samples.Mp4(2048, seed: 132));
        await api.Cloudinary.PlantAssetAsync("stremora/backups/notes", Samples.Mp4(2048, seed: 133));

        var report = await api.Job<StorageReconcileJob>().RunAsync(null, CancellationToken.None);

        Assert.Contains(report.OrphansDeleted, o => o.Provider == "s3" && o.Locator == orphan);
        Assert.Null(await api.S3BytesAsync(orphan));
        Assert.Equal(Samples.Mp4(2048, seed: 131), await api.S3BytesAsync("stremora/backups/notes.txt"));
        Assert.Equal(Samples.Mp4(2048, seed: 132), await api.S3BytesAsync("stremora-backups/db.dump"));
        Assert.NotNull(api.Cloudinary.FindAsset("stremora/backups/notes"));
        Assert.DoesNotContain(report.OrphansDeleted, o => o.Locator.Contains("backups", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_abandoned_upload_sweep_aborts_our_multipart_uploads_and_no_one_elses()
    {
        using var client = api.Bucket.Server.CreateClient();
        var ours = $"stremora/videos/{Guid.CreateVersion7():N}/video";
        foreach (var key in new[] { ours, "stremora/backups/nightly.tar", "stremora-backups/weekly.tar" })
        {
            await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = api.Bucket.Name, Key = key });
        }

        // moto reports every multipart upload as started in 2010: all three are old enough to sweep.
        await api.Job<AbandonedUploadSweepJob>().RunAsync(CancellationToken.None);

        var left = await api.Bucket.MultipartUploadsAsync();
        Assert.DoesNotContain(ours, left);
        Assert.Contains("stremora/backups/nightly.tar", left);
        Assert.Contains("stremora-backups/weekly.tar", left);
    }
}
