using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
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
            .PostConfigure<IHostEnvironment>((o, environment) =>
            {
                // A relative root (or none) lives under the content root, so `dotnet run` keeps files in the checkout's .data/.
                o.Local.Root = Path.GetFullPath(string.IsNullOrWhiteSpace(o.Local.Root) ? Path.Combine(".data", "media") : o.Local.Root, environment.ContentRootPath);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StorageMetrics>();

        services.AddSingleton<LocalDiskProvider>();
        services.AddSingleton<IStorageProvider>(sp => sp.GetRequiredService<LocalDiskProvider>());
        services.AddCloudinaryProvider(configuration);

        services.AddOptions<S3Options>()
            .Configure(o => o.ReadEnvironmentNames(configuration))
            .Bind(configuration.GetSection("Storage:S3"))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<S3Options>, S3OptionsValidator>());
        services.AddSingleton<S3StorageProvider>();
        services.AddSingleton<IStorageProvider>(sp => sp.GetRequiredService<S3StorageProvider>());

        services.AddSingleton<FailoverChain>();
        services.AddSingleton<IVideoStorage>(sp => sp.GetRequiredService<FailoverChain>());
        services.AddStorageMaintenance();

        // Tag "ready": the host's /health/ready runs it (Degraded still answers 200).
        services.AddHealthChecks().AddCheck<StorageHealthCheck>(StorageHealthCheck.Name, HealthStatus.Unhealthy, ["ready"]);
        return services;
    }
}
