using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.Local;

namespace Stremora.Modules.Storage.Tests.Maintenance;

/// <summary>Reconciliation's view of the local disk: every finished file under the root, nothing half-written.</summary>
public sealed class LocalDiskListerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"stremora-lister-{Guid.NewGuid():N}");
    private readonly LocalDiskLister _lister;

    public LocalDiskListerTests()
    {
        var options = new StorageOptions();
        options.Local.Root = _root;
        _lister = new LocalDiskLister(new LocalDiskProvider(Options.Create(options)));
    }

    [Fact]
    public async Task Lists_finished_files_with_their_kind_and_size_and_skips_files_still_being_written()
    {
        Write("videos/0123456789abcdef0123456789abcdef/video.mp4", 300);
        Write("videos/0123456789abcdef0123456789abcdef/thumbnail.jpg", 20);
        Write("videos/0123456789abcdef0123456789abcdef/video.mp4.5f1e.partial", 100);

        var listed = new List<ListedFile>();
        await foreach (var stored in _lister.ListAsync(CancellationToken.None))
        {
            listed.Add(stored);
        }

        Assert.Equal(
            [
                ("videos/0123456789abcdef0123456789abcdef/thumbnail.jpg", StoredFileKind.Thumbnail, 20L),
                ("videos/0123456789abcdef0123456789abcdef/video.mp4", StoredFileKind.Video, 300L),
            ],
            listed.Select(s => (s.File.Locator, s.File.Kind, s.File.Bytes)).OrderBy(s => s.Locator, StringComparer.Ordinal));
        Assert.All(listed, s => Assert.Equal("local", s.File.Provider));
        Assert.True(await _lister.ExistsAsync(listed[0].File, CancellationToken.None));
        Assert.False(await _lister.ExistsAsync(new StoredFile("local", "videos/0123456789abcdef0123456789abcdef/gone.mp4", StoredFileKind.Video), CancellationToken.None));
        Assert.False(await _lister.ExistsAsync(new StoredFile("local", "../outside.mp4", StoredFileKind.Video), CancellationToken.None));
    }

    [Fact]
    public async Task A_root_that_does_not_exist_yet_holds_nothing()
    {
        await foreach (var stored in _lister.ListAsync(CancellationToken.None))
        {
            Assert.Fail($"Listed {stored.File.Locator} from a root that does not exist.");
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private void Write(string locator, int bytes)
    {
        var path = Path.Combine(_root, locator);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[bytes]);
    }
}
