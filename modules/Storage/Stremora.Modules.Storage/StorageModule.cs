using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Stremora.Modules.Storage;

/// <summary>The storage module's registration: the host calls this explicitly.</summary>
public static class StorageModule
{
    public static Assembly Assembly => typeof(StorageModule).Assembly;

    public static IServiceCollection AddStorageModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services;
    }
}
