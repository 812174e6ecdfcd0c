using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.TestKit.Host;

namespace Stremora.Modules.Storage.Tests.Local;

/// <summary>
/// A catalog of its own for storage's tests, under keys no module uses (<c>storage-tests/...</c>): a file is live once a
/// test records it and until the test withdraws it, the way a module's record serves a file until it is deleted.
/// </summary>
public sealed class LiveTestFiles : ILiveFiles
{
    public const string Folder = "storage-tests/";

    private readonly ConcurrentDictionary<(string Provider, string Locator), bool> _live = new();

    public static string NewKey() => $"{Folder}{Guid.CreateVersion7():N}/file";

    public void Record(StoredFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        _live[(file.Provider, file.Locator)] = true;
    }

    public void Withdraw(StoredFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        _live.TryRemove((file.Provider, file.Locator), out _);
    }

    public bool Recognises(string locator) => locator.StartsWith(Folder, StringComparison.Ordinal);

    public Task<bool> ServesAsync(string provider, string locator, CancellationToken cancellationToken) =>
        Task.FromResult(_live.ContainsKey((provider, locator)));
}

/// <summary>The real host with no cloud configured (local disk), with <see cref="LiveTestFiles"/> beside the modules' catalogs.</summary>
public sealed class LocalMediaApiFactory : StremoraApiFactory
{
    public LiveTestFiles Catalog { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<ILiveFiles>(Catalog));
    }
}
