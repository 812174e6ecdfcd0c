using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Cloudinary;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Local;
using Stremora.Modules.Storage.S3;

namespace Stremora.Modules.Storage.Maintenance;

internal static class MaintenanceRegistration
{
    public static IServiceCollection AddStorageMaintenance(this IServiceCollection services)
    {
        services.AddSingleton<IStoredFileLister, LocalDiskLister>();

        // Both clients live as long as the app (singletons hold them): rotate connections instead of handlers.
        services.AddHttpClient<CloudinaryLister>()
            .ConfigurePrimaryHttpMessageHandler(NewHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler();
        services.AddSingleton<IStoredFileLister>(sp => sp.GetRequiredService<CloudinaryLister>());
        services.AddSingleton<IStoredFileLister>(sp => sp.GetRequiredService<S3StorageProvider>());

        // Reading a whole video can take long: the caller's token bounds it, not a client timeout.
        services.AddHttpClient<StoredFileReader>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(NewHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton<IStorageMaintenance, StorageMaintenance>();
        return services;
    }

    private static SocketsHttpHandler NewHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };
}
