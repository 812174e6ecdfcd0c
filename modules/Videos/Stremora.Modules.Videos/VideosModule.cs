using System.Reflection;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.AbandonedUploads;
using Stremora.Modules.Videos.BackfillMedia;
using Stremora.Modules.Videos.Cleanup;
using Stremora.Modules.Videos.Media;
using Stremora.Modules.Videos.Rebalance;
using Stremora.Modules.Videos.Reconcile;
using Stremora.Modules.Videos.ResumableUpload;
using Stremora.Modules.Videos.StorageMaintenance;

namespace Stremora.Modules.Videos;

/// <summary>The videos module's registration: the host calls these explicitly.</summary>
public static class VideosModule
{
    public static Assembly Assembly => typeof(VideosModule).Assembly;

    public static IServiceCollection AddVideosModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<UploadOptions>()
            .Bind(configuration.GetSection(UploadOptions.Section))
            .Validate(o => o.MaxVideoBytes > 0, "Upload__MaxVideoBytes must be a positive number of bytes.")
            .Validate(o => o.MaxThumbnailBytes > 0, "Upload__MaxThumbnailBytes must be a positive number of bytes.")
            .Validate(o => o.MinBodyBytesPerSecond > 0, "Upload__MinBodyBytesPerSecond must be a positive number of bytes per second.")
            .Validate(o => o.BodyRateGracePeriodSeconds > 1, "Upload__BodyRateGracePeriodSeconds must be more than 1 second.")
            .ValidateOnStart();
        services.AddOptions<AbandonedUploadOptions>()
            .Bind(configuration.GetSection(AbandonedUploadOptions.Section))
            .Validate(o => o.AbandonedAfter > TimeSpan.Zero, "Upload__AbandonedAfter must be a positive time span (e.g. 06:00:00).")
            .Validate(o => !string.IsNullOrWhiteSpace(o.SweepCron), "Upload__SweepCron must be a cron expression.")
            .ValidateOnStart();
        services.AddOptions<CleanupOptions>()
            .Bind(configuration.GetSection(CleanupOptions.Section))
            .Validate(o => o.MaxAttempts >= 1, "Cleanup__MaxAttempts must be at least 1.")
            .Validate(o => o.RetryDelaySeconds >= 0 && o.MaxRetryDelaySeconds >= o.RetryDelaySeconds, "Cleanup__RetryDelaySeconds must be between 0 and Cleanup__MaxRetryDelaySeconds.")
            .ValidateOnStart();
        services.AddOptions<RebalanceOptions>()
            .Bind(configuration.GetSection(RebalanceOptions.Section))
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.Cron), "Storage__Rebalance__Cron must be a cron expression.")
            .Validate(o => o.MaxFilesPerRun >= 1, "Storage__Rebalance__MaxFilesPerRun must be at least 1.")
            .Validate(o => o.CopyTimeoutMinutes >= 1, "Storage__Rebalance__CopyTimeoutMinutes must be at least 1.")
            .ValidateOnStart();
        services.AddOptions<ReconcileOptions>()
            .Bind(configuration.GetSection(ReconcileOptions.Section))
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.Cron), "Storage__Reconcile__Cron must be a cron expression.")
            .Validate(o => o.OrphanGraceMinutes >= 0, "Storage__Reconcile__OrphanGraceMinutes must be zero or more.")
            .Validate<IHostEnvironment>(
                (o, environment) => o.OrphanGraceMinutes >= ReconcileOptions.MinimumOrphanGraceMinutes || environment.IsEnvironment(ReconcileOptions.TestingEnvironment),
                $"Storage__Reconcile__OrphanGraceMinutes must be at least {ReconcileOptions.MinimumOrphanGraceMinutes}: uploads and moves in flight store their file before the catalog records it.")
            .ValidateOnStart();

        services.AddOptions<MediaOptions>()
            .Bind(configuration.GetSection(MediaOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MediaOptions>, MediaOptionsValidator>();
        services.AddSingleton<MediaAnalysis>();

        services.AddOptions<ResumableUploadOptions>()
            .Bind(configuration.GetSection(ResumableUploadOptions.Section))
            .Validate(o => o.ExpireAfter > TimeSpan.Zero, "Uploads__ExpireAfter must be a positive time span (e.g. 24:00:00).")
            .Validate(o => !string.IsNullOrWhiteSpace(o.StagingRoot), "Uploads__StagingRoot must be a folder path.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ExpirySweepCron), "Uploads__ExpirySweepCron must be a cron expression.")
            .Validate(o => o.MaxStoreAttempts >= 1, "Uploads__MaxStoreAttempts must be at least 1.")
            .Validate(o => o.StoreRetryDelaySeconds >= 1, "Uploads__StoreRetryDelaySeconds must be at least 1.")
            .Validate(o => o.ForwardIdleSeconds >= 1, "Uploads__ForwardIdleSeconds must be at least 1.")
            .ValidateOnStart();
        services.AddSingleton<StagedFiles>();
        services.AddSingleton<ResumableUploads>();
        services.AddSingleton<Forwarders>();
        services.AddSingleton<ChunkReceiver>();
        services.AddTransient<IStartupFilter, TusVersionGate>();
        services.AddTransient<StoreCompletedUploadJob>();
        services.AddTransient<ExpiredUploadSweepJob>();

        services.AddTransient<StoredFileCleanupJob>();
        services.AddTransient<AbandonedUploadSweepJob>();
        services.AddTransient<StorageRebalanceJob>();
        services.AddTransient<StorageReconcileJob>();
        services.AddTransient<MediaBackfillJob>();
        services.AddHostedService<RecurringJobs>();
        // The media route serves a video's file only while the catalog says it is live.
        services.AddSingleton<ILiveFiles, VideoLiveFiles>();
        // The outbox subscription needs Hangfire's client, which lives in the container, not in StoreOptions.
        services.ConfigureMarten((sp, options) => options.Events.Subscribe(new CleanupOutbox(sp)));
        return services;
    }

    /// <summary>Registers the module's events, documents and projections with the host's Marten store.</summary>
    public static void ConfigureVideos(this StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Events.AddEventTypes(VideoEvents.All);

        // Inline: the read model changes in the same transaction as the events, so get/list never lag.
        options.Projections.Add(new VideoDetailsProjection(), ProjectionLifecycle.Inline);
        // The listing: ready videos by owner, newest first.
        options.Schema.For<VideoDetails>()
            .Index(v => v.Status)
            .Index(v => v.OwnerId)
            .Index(v => v.CreatedAt)
            // The list's total: partial indexes whose predicates are the count's, so counting reads only the index.
            .Index(v => v.OwnerId, index =>
            {
                index.Name = ListVideos.VideoListQuery.ListedIndex;
                index.Predicate = ListVideos.VideoListQuery.Listed;
            })
            .Index(v => v.OwnerId, index =>
            {
                index.Name = ListVideos.VideoListQuery.UnlistedIndex;
                index.Predicate = ListVideos.VideoListQuery.Unlisted;
            })
            // The search: a GIN index over the very expression the list matches q against.
            .FullTextIndex(index =>
            {
                index.Name = "mt_doc_videodetails_idx_search";
                index.RegConfig = ListVideos.VideoListQuery.SearchConfig;
                index.DocumentConfig = ListVideos.VideoListQuery.SearchVector;
            });
        // The table kept the name it had when only uploads took keys: claims already in it stay valid.
        options.Schema.For<IdempotencyKey>().DocumentAlias("uploadidempotencykey");
        options.Schema.For<ResumableUpload.ResumableUpload>().Index(u => u.ExpiresAt);
        options.Schema.For<RebalanceReport>();
        options.Schema.For<ReconcileReport>();
    }
}
