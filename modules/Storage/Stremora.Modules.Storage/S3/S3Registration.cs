using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.S3;

internal static class S3Registration
{
    /// <summary>The S3 provider (also its own lister and abandoned-multipart sweeper) and its options.</summary>
    public static IServiceCollection AddS3Provider(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<S3Options>()
            .Configure(o => o.ReadEnvironmentNames(configuration))
            .Bind(configuration.GetSection("Storage:S3"))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<S3Options>, S3OptionsValidator>());
        services.AddSingleton<S3StorageProvider>();
        services.AddStorageProvider<S3StorageProvider>(S3StorageProvider.ProviderName);
        services.AddStoredFileLister<S3StorageProvider>();
        return services;
    }
}
