using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Maintenance;

namespace Stremora.Modules.Storage.Failover;

/// <summary>A provider's name, registered beside it: what <c>Storage:Order</c> may name, known without building any provider.</summary>
internal sealed record StorageProviderName(string Name);

/// <summary>How a provider folder plugs itself into the chain (and, optionally, into maintenance).</summary>
internal static class StorageProviderRegistration
{
    /// <summary>Makes <typeparamref name="TProvider"/> (registered by the caller) one of the chain's providers under <paramref name="name"/>.</summary>
    public static IServiceCollection AddStorageProvider<TProvider>(this IServiceCollection services, string name)
        where TProvider : class, IStorageProvider
    {
        services.AddSingleton(new StorageProviderName(name));
        services.AddSingleton<IStorageProvider>(sp => sp.GetRequiredService<TProvider>());
        return services;
    }

    /// <summary>Lets reconciliation list and probe the provider's files through <typeparamref name="TLister"/> (registered by the caller).</summary>
    public static IServiceCollection AddStoredFileLister<TLister>(this IServiceCollection services)
        where TLister : class, IStoredFileLister =>
        services.AddSingleton<IStoredFileLister>(sp => sp.GetRequiredService<TLister>());
}
