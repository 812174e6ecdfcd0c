using System.Runtime.InteropServices;

namespace Stremora.Modules.Storage.Failover;

/// <summary>
/// The spool holds every upload in flight, so it is the service's alone: created <c>0700</c> (its files <c>0600</c>),
/// and a folder someone else owns (a shared <c>/tmp</c> name another user took first) is refused at start-up.
/// </summary>
internal static partial class SpoolFolder
{
    public const UnixFileMode FolderPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const int AtCurrentDirectory = -100;
    private const uint StatxUid = 0x8;

    // struct statx has one layout on every Linux architecture: stx_uid is the u32 at offset 20.
    private const int StatxUidOffset = 20;

    public static void Create(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Directory.CreateDirectory(directory, FolderPermissions);
    }

    /// <returns>Why the folder cannot be the spool, or null when it is missing (it will be created) or the service's own.</returns>
    public static string? Refusal(string directory)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(directory))
        {
            return null;
        }

        var buffer = new byte[256];
        if (Statx(AtCurrentDirectory, directory, 0, StatxUid, buffer) != 0)
        {
            return "Storage:SpoolDirectory cannot be inspected; give the service a folder of its own.";
        }

        var owner = BitConverter.ToUInt32(buffer, StatxUidOffset);
        return owner == GetEffectiveUserId()
            ? null
            : "Storage:SpoolDirectory is owned by another user; give the service a folder of its own (it holds every upload in flight).";
    }

    /// <summary>
    /// Removes spool files a crashed process left behind. Every live spool is held open (writer and readers
    /// take a shared lock with the handle), so a file that can be opened exclusively belongs to a dead process
    /// and goes at once; without OS file locking only the age rule applies: a live spool is written
    /// continuously, so anything untouched for <paramref name="olderThan"/> is dead.
    /// </summary>
    public static int DeleteStale(string directory, TimeSpan olderThan, DateTimeOffset now)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var deleted = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*.spool"))
        {
            try
            {
                if (now - file.LastWriteTimeUtc > olderThan)
                {
                    file.Delete();
                    deleted++;
                }
                else if (FileLockingEnabled && TryDeleteUnheld(file.FullName))
                {
                    deleted++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Someone else's, or already gone.
            }
        }

        return deleted;
    }

    // .NET takes flock() locks on Unix unless told not to; without them an exclusive open proves nothing.
    private static bool FileLockingEnabled =>
        !(AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        && Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is not ("1" or "true");

    /// <returns>True when no process holds the file: it was opened exclusively and deleted on close.</returns>
    private static bool TryDeleteUnheld(string path)
    {
        try
        {
            // Deleted when this handle closes, so no live process can open it between the check and the delete.
            using var exclusive = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            return true;
        }
        catch (IOException)
        {
            // Held by a live upload (this process's or another instance's on this host).
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
