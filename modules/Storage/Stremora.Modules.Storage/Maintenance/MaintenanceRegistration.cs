using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Maintenance;

internal static class MaintenanceRegistration
{
    public static IServiceCollection AddStorageMaintenance(this IServiceCollection services)
    {
        // Reading a whole video can take long: the caller's token bounds it, not a client timeout.
        services.AddHttpClient<StoredFileReader>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(StorageHttpHandlers.LongLived)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton<IStorageMaintenance, StorageMaintenance>();
        return services;
    }
}
