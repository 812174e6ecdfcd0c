using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Stremora.Modules.Videos.ResumableUpload;

/// <summary>
/// The staging area: one file per unfinished upload, <c>{StagingRoot}/{id:N}</c>, in a folder every instance
/// reaches. Only the bytes up to the upload's recorded offset count; anything past it (a chunk cut off by a
/// crash before it was acknowledged) is cut away before the next chunk is written.
/// </summary>
internal sealed class StagedFiles(IOptions<ResumableUploadOptions> options, IHostEnvironment environment)
{
    public string Root { get; } = Path.GetFullPath(options.Value.StagingRoot, environment.ContentRootPath);

    public string PathOf(Guid id) => Path.Combine(Root, id.ToString("N"));

    /// <summary>Opened for the next chunk at <paramref name="offset"/> (bytes past it discarded).</summary>
    public FileStream OpenAt(Guid id, long offset)
    {
        Directory.CreateDirectory(Root);
        var file = new FileStream(PathOf(id), new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous,
            BufferSize = 0,
        });
        try
        {
            if (file.Length < offset)
            {
                throw new InvalidDataException($"Staged upload {id} holds {file.Length} bytes but its recorded offset is {offset}: the staging folder lost bytes.");
            }

            file.SetLength(offset);
            file.Position = offset;
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The first bytes, for sniffing.</summary>
    public async Task<byte[]> HeadAsync(Guid id, int length, CancellationToken ct)
    {
        await using var file = new FileStream(PathOf(id), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.Asynchronous);
        var head = new byte[length];
        var read = await file.ReadAtLeastAsync(head, length, throwOnEndOfStream: false, ct);
        return head[..read];
    }

    public void Delete(Guid id) => File.Delete(PathOf(id));
}
