using Marten;
using Microsoft.Extensions.DependencyInjection;
using Stremora.TestKit.Host;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>The real host on its own database with local-disk storage, small upload limits (so 413s are cheap) and fast cleanup retries.</summary>
public sealed class VideosApiFactory : StremoraApiFactory
{
    public const long MaxVideoBytes = 1024 * 1024;
    public const long MaxThumbnailBytes = 64 * 1024;

    public VideosApiFactory()
    {
        With("Upload:MaxVideoBytes", MaxVideoBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        With("Upload:MaxThumbnailBytes", MaxThumbnailBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        With("Cleanup:RetryDelaySeconds", "1");
        With("Cleanup:MaxAttempts", "2");
    }

    internal IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();

    /// <summary>Every file under the local-disk root (relative paths).</summary>
    public IReadOnlySet<string> StoredFiles() =>
        Directory.EnumerateFiles(LocalStorageRoot, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(LocalStorageRoot, f))
            .ToHashSet(StringComparer.Ordinal);

    public IReadOnlyList<string> SpoolFiles() =>
        Directory.Exists(SpoolDirectory) ? Directory.EnumerateFiles(SpoolDirectory, "*", SearchOption.AllDirectories).ToList() : [];
}

/// <summary>One host for all HTTP tests of the module: they run one after another, so "what is left behind" assertions hold.</summary>
[CollectionDefinition(Name)]
public sealed class VideosApiGroup : ICollectionFixture<VideosApiFactory>
{
    public const string Name = "videos-api";
}
