using System.Diagnostics;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Tests.Failover;

/// <summary>The spool holds other people's uploads in flight: the service's alone, on disk as at start-up.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SpoolFolderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"stremora-spool-perm-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_spool_folder_is_created_0700_and_its_files_0600()
    {
        await using var spool = SpoolTee.Create(_directory);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(spool.Path));
    }

    [Fact]
    public async Task A_spool_folder_owned_by_another_user_is_refused_at_start_up_naming_the_setting()
    {
        Directory.CreateDirectory(_directory);
        Assert.Null(new StorageOptionsValidator().Validate(null, new StorageOptions { SpoolDirectory = _directory }).FailureMessage);

        // 65534 is "nobody": whoever runs the tests, the folder is not theirs now.
        using (var chown = Process.Start("chown", ["65534", _directory]))
        {
            await chown.WaitForExitAsync();
            Assert.Equal(0, chown.ExitCode);
        }

        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { SpoolDirectory = _directory });

        Assert.Contains("Storage:SpoolDirectory is owned by another user", result.FailureMessage, StringComparison.Ordinal);
    }
}
