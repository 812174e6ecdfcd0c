using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Cloudinary;
using Stremora.Modules.Storage.Failover;
using Stremora.TestKit.FakeCloudinary;

namespace Stremora.Modules.Storage.Tests.Cloudinary;

/// <summary>The provider as the host registers it, pointed at a fake Cloudinary.</summary>
internal static class CloudinaryTestServices
{
    public static ServiceProvider Build(IEnumerable<KeyValuePair<string, string?>> settings, TimeProvider? clock = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        services.AddCloudinaryProvider(configuration);
        return services.BuildServiceProvider();
    }

    public static ServiceProvider Build(FakeCloudinaryServer fake, long? chunkSizeBytes = null, params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>(fake.Settings, StringComparer.Ordinal);
        if (chunkSizeBytes is { } chunk)
        {
            settings[CloudinaryOptions.ChunkSizeKey] = chunk.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return Build(settings);
    }

    public static IStorageProvider Provider(this IServiceProvider services) => services.GetRequiredService<IStorageProvider>();
}

/// <summary>One fake Cloudinary per test class; each test starts with no faults switched on.</summary>
public sealed class FakeCloudinaryFixture : IAsyncLifetime
{
    public FakeCloudinaryServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await FakeCloudinaryServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
