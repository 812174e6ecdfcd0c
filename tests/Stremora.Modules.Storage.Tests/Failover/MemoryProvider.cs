using System.Collections.Concurrent;
using System.Security.Cryptography;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Tests.Failover;

public enum MemoryProviderFault
{
    None,
    FailImmediately,
    FailMidStream,
    ReportWrongSize,
    ReportWrongChecksum,
    Hang,
}

/// <summary>
/// A small provider for chain tests that really stores the bytes it reads (in memory) and can be told
/// to misbehave the ways real providers do. Like a real provider it leaves nothing behind when it throws.
/// </summary>
internal sealed class MemoryProvider(string name) : IStorageProvider
{
    private const int ChunkBytes = 64 * 1024;

    private int _uploads;

    public string Name { get; } = name;

    public bool IsConfigured { get; set; } = true;

    public MemoryProviderFault Fault { get; set; }

    /// <summary>Reports its SHA-256 of what it stored (as some providers do), so the chain can compare it.</summary>
    public bool ReportsChecksum { get; set; }

    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public int Uploads => Volatile.Read(ref _uploads);

    /// <summary>Completes once an attempt is waiting for bytes the client has not sent yet.</summary>
    public TaskCompletionSource WaitingForClient { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when an upload starts reading.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<ProviderStoredFile> UploadAsync(ProviderUpload upload, ISpooledSource source, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _uploads);
        Started.TrySetResult();
        switch (Fault)
        {
            case MemoryProviderFault.FailImmediately:
                throw new StorageProviderException(Name, $"{Name} answered 500", isTransient: true);
            case MemoryProviderFault.Hang:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
        }

        using var received = new MemoryStream();
        long offset = 0;
        while (true)
        {
            // Started synchronously, so the attempt counts as waiting for the client before we say so.
            var wait = source.WaitForAsync(offset, ChunkBytes + 1, cancellationToken);
            if (!wait.IsCompleted)
            {
                WaitingForClient.TrySetResult();
            }

            var available = await wait;
            var take = Math.Min(available, ChunkBytes);
            await using (var range = source.OpenRange(offset, take))
            {
                await range.CopyToAsync(received, cancellationToken);
            }

            offset += take;
            if (Fault == MemoryProviderFault.FailMidStream && offset > 0)
            {
                throw new StorageProviderException(Name, $"{Name} reset the connection", isTransient: true);
            }

            if (available <= ChunkBytes)
            {
                break;
            }
        }

        var bytes = received.ToArray();
        var locator = $"{Name}/{upload.Key}";
        Files[locator] = bytes;
        var reportedSize = Fault == MemoryProviderFault.ReportWrongSize ? bytes.Length - 1 : bytes.Length;
        string? checksum = null;
        if (ReportsChecksum || Fault == MemoryProviderFault.ReportWrongChecksum)
        {
            checksum = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (Fault == MemoryProviderFault.ReportWrongChecksum)
            {
                checksum = new string('0', 64);
            }
        }

        return new ProviderStoredFile(locator, $"https://{Name}.test/{locator}", reportedSize, checksum);
    }

    public Task DeleteAsync(StoredFile file, CancellationToken cancellationToken)
    {
        Files.TryRemove(file.Locator, out _);
        return Task.CompletedTask;
    }

    public Task<string> GetPlaybackUrlAsync(StoredFile file, CancellationToken cancellationToken) =>
        Task.FromResult($"https://{Name}.test/{file.Locator}");
}
