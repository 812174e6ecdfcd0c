using System.Reflection;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stremora.Modules.Images.Cleanup;
using Stremora.Modules.Images.UploadImage;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Images;

/// <summary>The images module's registration (avatars and covers): the host calls these explicitly.</summary>
public static class ImagesModule
{
    public static Assembly Assembly => typeof(ImagesModule).Assembly;

    public static IServiceCollection AddImagesModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ImageUploadOptions>()
            .Bind(configuration.GetSection(ImageUploadOptions.Section))
            .Validate(o => o.MaxImageBytes > 0, "Upload__MaxImageBytes must be a positive number of bytes.")
            .ValidateOnStart();
        services.AddTransient<ImageCleanupJob>();
        // Reconciliation (videos module) asks every registered claim check before it calls a file an orphan.
        services.AddSingleton<ImageFileClaims>();
        services.AddSingleton<IStoredFileClaims>(sp => sp.GetRequiredService<ImageFileClaims>());
        // The media route asks the same instance whether an image's file is still served.
        services.AddSingleton<ILiveFiles>(sp => sp.GetRequiredService<ImageFileClaims>());
        // The outbox subscription needs Hangfire's client, which lives in the container, not in StoreOptions.
        services.ConfigureMarten((sp, options) => options.Events.Subscribe(new ImageCleanupOutbox(sp)));
        return services;
    }

    /// <summary>Registers the module's events, documents and projection with the host's Marten store.</summary>
    public static void ConfigureImages(this StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Events.AddEventTypes(ImageEvents.All);
        // Inline: the read model changes in the same transaction as the events, so get/list never lag.
        options.Projections.Add(new ImageDetailsProjection(), ProjectionLifecycle.Inline);
        options.Schema.For<ImageDetails>()
            .Index(i => i.OwnerId)
            .Index(i => i.CreatedAt);
        options.Schema.For<ImageIdempotencyKey>();
    }
}
