using System.Reflection;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Stremora.Modules.Videos;

/// <summary>The videos module's registration: the host calls these explicitly.</summary>
public static class VideosModule
{
    public static Assembly Assembly => typeof(VideosModule).Assembly;

    public static IServiceCollection AddVideosModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services;
    }

    /// <summary>Registers the module's events, documents and projections with the host's Marten store.</summary>
    public static void ConfigureVideos(this StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
    }
}
