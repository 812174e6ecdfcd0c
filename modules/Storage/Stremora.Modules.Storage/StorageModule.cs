using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Cloudinary;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.Local;
using Stremora.Modules.Storage.Maintenance;
using Stremora.Modules.Storage.S3;

namespace Stremora.Modules.Storage;

/// <summary>The storage module's registration: the host calls this explicitly.</summary>
public static class StorageModule
{
    public static Assembly Assembly => typeof(StorageModule).Assembly;

    public static IServiceCollection AddStorageModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOrderValidator>());

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StorageMetrics>();

        // A provider is its folder: each call registers the provider with its options, lister and sweeper.
        services.AddLocalDiskProvider(configuration);
        services.AddCloudinaryProvider(configuration);
        services.AddS3Provider(configuration);

        services.AddSingleton<FailoverChain>();
        services.AddSingleton<IVideoStorage>(sp => sp.GetRequiredService<FailoverChain>());
        services.AddStorageMaintenance();

        // Tag "ready": the host's /health/ready runs it (Degraded still answers 200).
        services.AddHealthChecks().AddCheck<StorageHealthCheck>(StorageHealthCheck.Name, HealthStatus.Degraded, ["ready"]);
        return services;
    }
}
