using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Tests.Failover;

/// <summary>Builds a chain over given providers with a private spool folder that tests can check is left empty.</summary>
internal sealed class ChainHarness : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"stremora-chain-test-{Guid.NewGuid():N}");

    public string SpoolDirectory => Path.Combine(Directory, "spool");

    public IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    public FailoverChain Chain(IEnumerable<IStorageProvider> providers, string order, TimeProvider? time = null, Action<StorageOptions>? configure = null)
    {
        var options = new StorageOptions { Order = order, SpoolDirectory = SpoolDirectory };
        options.Local.Root = Path.Combine(Directory, "media");
        options.CircuitBreaker.MinimumThroughput = 2;
        options.CircuitBreaker.BreakDurationSeconds = 30;
        configure?.Invoke(options);
        return new FailoverChain(providers, Options.Create(options), new StorageMetrics(MeterFactory), time ?? TimeProvider.System, NullLogger<FailoverChain>.Instance);
    }

    public IReadOnlyList<string> SpoolFiles() =>
        System.IO.Directory.Exists(SpoolDirectory) ? System.IO.Directory.GetFiles(SpoolDirectory) : [];

    public void Dispose()
    {
        _services.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
