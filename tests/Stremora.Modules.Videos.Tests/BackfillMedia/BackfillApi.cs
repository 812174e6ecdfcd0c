using System.Text.Json;
using Stremora.Modules.Videos.Tests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.S3;

namespace Stremora.Modules.Videos.Tests.BackfillMedia;

/// <summary>
/// Videos stored before analysis existed: hosts with <c>Media:Analyze=false</c> upload to Cloudinary, to S3 (Cloudinary
/// failing) and to local disk, and one with analysis on but no poster frames uploads to Cloudinary; they are stopped;
/// then a host with analysis and posters on (on real Kestrel, so the local disk's /media route has an address) runs over
/// the same database and providers.
/// </summary>
public sealed class BackfillApi : IAsyncLifetime
{
    public VideosApiFactory Api { get; } = new();

    public FakeCloudinaryServer Cloudinary { get; private set; } = null!;

    public TestBucket Bucket { get; private set; } = null!;

    /// <summary>The old videos, as their uploads' 201 showed them (no <c>media</c>): one per provider.</summary>
    public IReadOnlyList<JsonElement> OldVideos { get; private set; } = [];

    /// <summary>An old video whose file Cloudinary no longer holds: it cannot be analysed.</summary>
    public JsonElement Vanished { get; private set; }

    /// <summary>An old video analysed at upload, stored before poster frames (no thumbnail).</summary>
    public JsonElement Unpostered { get; private set; }

    public async Task InitializeAsync()
    {
        Cloudinary = await FakeCloudinaryServer.StartAsync();
        Bucket = await MotoServer.Instance.CreateBucketAsync();
        Api.With(Cloudinary.Settings).WithS3(Bucket)
            .With("Storage:Order", "cloudinary,s3,local")
            .With("Storage:CircuitBreaker:MinimumThroughput", "1000")
            .With("Media:Posters", "true");
        await Api.InitializeAsync();

        var old = new List<JsonElement>();
        await using (var cloud = OldHost().With(Cloudinary.Settings).WithS3(Bucket).With("Storage:Order", "cloudinary,s3"))
        {
            await cloud.InitializeAsync();
            using var owner = cloud.ClientFor("backfill-owner");
            old.Add(await owner.UploadValidAsync("Old on Cloudinary", Samples.Mp4(3000, seed: 91)));
            Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
            try
            {
                old.Add(await owner.UploadValidAsync("Old on S3", Samples.Mp4(3000, seed: 92)));
            }
            finally
            {
                Cloudinary.Faults.Clear();
            }

            Vanished = await owner.UploadValidAsync("Old and gone from Cloudinary", Samples.Mp4(3000, seed: 93));
            Assert.True(Cloudinary.RemoveAsset(Vanished.Locator()));
        }

        await using (var local = OldHost().With("Storage:Order", "local").With("Storage:Local:Root", Api.LocalStorageRoot))
        {
            await local.InitializeAsync();
            using var owner = local.ClientFor("backfill-owner");
            old.Add(await owner.UploadValidAsync("Old on local disk", Samples.Mp4(3000, seed: 94)));
        }

        await using (var analysed = new VideosApiFactory())
        {
            analysed.With("ConnectionStrings:Postgres", Api.ConnectionString).With(Cloudinary.Settings).With("Storage:Order", "cloudinary").With("Media:Posters", "false");
            await analysed.InitializeAsync();
            using var owner = analysed.ClientFor("backfill-owner");
            Unpostered = await owner.UploadValidAsync("Old, analysed, no poster", Samples.Mp4(3000, seed: 95));
        }

        OldVideos = old;
        Api.StartKestrel();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cloudinary.DisposeAsync();
    }

    /// <summary>A host of the old days on the new host's database: no analysis.</summary>
    private VideosApiFactory OldHost()
    {
        var old = new VideosApiFactory();
        old.With("ConnectionStrings:Postgres", Api.ConnectionString).With("Media:Analyze", "false");
        return old;
    }
}
