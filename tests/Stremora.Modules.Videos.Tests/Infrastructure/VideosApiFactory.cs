using System.Collections.Concurrent;
using Marten;
using Marten.Services;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Videos.UploadVideo;
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

    /// <summary>An upload with this title has its final catalog write fail (a simulated database outage at the worst moment).</summary>
    public const string CatalogFailsTitle = "The catalog write fails";

    /// <summary>Fails a removal on demand.</summary>
    public DeleteHold Deletes { get; } = new();

    /// <summary>Videos whose details another request changes the moment their thumbnail replacement commits.</summary>
    public ChangeAfterThumbnailReplaced ChangesAfterThumbnail { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.ConfigureMarten(options =>
            {
                options.Listeners.Add(new FailingCatalogWrite());
                options.Listeners.Add(ChangesAfterThumbnail);
            });
            var real = services.Single(d => d.ServiceType == typeof(IVideoStorage));
            services.Remove(real);
            services.AddSingleton<IVideoStorage>(sp => new HoldableVideoStorage((IVideoStorage)real.ImplementationFactory!(sp), Deletes));
        });
    }
}

/// <summary>Throws on the save that would make an upload titled <see cref="VideosApiFactory.CatalogFailsTitle"/> ready.</summary>
internal sealed class FailingCatalogWrite : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        var ready = session.PendingChanges.Streams().SelectMany(s => s.Events).Any(e => e.Data is VideoReady { Title: VideosApiFactory.CatalogFailsTitle });
        return ready ? throw new InvalidOperationException("Simulated catalog outage.") : Task.CompletedTask;
    }
}

/// <summary>
/// Appends a details change to a registered video right after the commit that replaced its thumbnail, before the
/// replacing request answers: what a concurrent edit, a job or another instance can do at that moment.
/// </summary>
public sealed class ChangeAfterThumbnailReplaced : DocumentSessionListenerBase
{
    public const string Title = "Changed right after its thumbnail";

    private readonly ConcurrentDictionary<Guid, bool> _videos = new();

    public void Add(Guid videoId) => _videos[videoId] = true;

    public override async Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(commit);
        foreach (var e in commit.GetEvents().Where(e => e.Data is VideoThumbnailReplaced && _videos.TryRemove(e.StreamId, out _)))
        {
            await using var other = session.DocumentStore.LightweightSession();
            other.Events.Append(e.StreamId, new VideoDetailsChanged(Title, "", "another request", DateTimeOffset.UtcNow));
            await other.SaveChangesAsync(token);
        }
    }
}

/// <summary>One host for all HTTP tests of the module: they run one after another, so "what is left behind" assertions hold.</summary>
[CollectionDefinition(Name)]
public sealed class VideosApiGroup : ICollectionFixture<VideosApiFactory>
{
    public const string Name = "videos-api";
}
