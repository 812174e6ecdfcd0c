using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.Maintenance;

namespace Stremora.Modules.Storage.Local;

internal static class LocalDiskRegistration
{
    /// <summary>The local disk provider (the chain's fallback when no cloud is configured), its lister and its reader.</summary>
    public static IServiceCollection AddLocalDiskProvider(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StorageOptions>().PostConfigure<IHostEnvironment>((o, environment) =>
        {
            // A relative root (or none) lives under the content root, so `dotnet run` keeps files in the checkout's .data/.
            o.Local.Root = Path.GetFullPath(string.IsNullOrWhiteSpace(o.Local.Root) ? Path.Combine(".data", "media") : o.Local.Root, environment.ContentRootPath);
        });
        services.AddSingleton<LocalDiskProvider>();
        services.AddStorageProvider<LocalDiskProvider>(LocalDiskProvider.ProviderName);
        services.AddSingleton<LocalDiskLister>();
        services.AddStoredFileLister<LocalDiskLister>();
        services.AddSingleton<IStoredFileOpener>(sp => sp.GetRequiredService<LocalDiskLister>());
        return services;
    }
}
