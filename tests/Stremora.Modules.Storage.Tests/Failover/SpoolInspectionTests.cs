using System.Security.Cryptography;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Tests.Failover;

/// <summary>A store request's inspector runs on the complete spool file; its refusal leaves nothing on any provider.</summary>
public sealed class SpoolInspectionTests : IDisposable
{
    private const string Key = "videos/0199aaaa-bbbb-7ccc-8ddd-eeeeffff0001/video";

    private readonly ChainHarness _harness = new();
    private readonly MemoryProvider _cloudinary = new("cloudinary");
    private readonly MemoryProvider _s3 = new("s3");

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task The_inspector_reads_the_whole_file_from_the_spool_and_its_acceptance_stores_it()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");
        var data = RandomNumberGenerator.GetBytes(300_000);
        byte[]? seen = null;

        var outcome = await chain.StoreAsync(Request(async (path, ct) =>
        {
            seen = await File.ReadAllBytesAsync(path, ct);
            return SpoolVerdict.Accept;
        }), new MemoryStream(data), CancellationToken.None);

        var stored = Assert.IsType<StoreOutcome.Stored>(outcome);
        Assert.Equal(data, seen);
        Assert.Equal(data, _cloudinary.Files[stored.File.Locator]);
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task A_refusal_after_the_provider_stored_the_file_removes_it_and_says_why()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");

        var outcome = await chain.StoreAsync(Request(async (_, _) =>
        {
            // Decide only once the provider holds the whole file.
            await Eventually.UntilAsync(() => Task.FromResult(!_cloudinary.Files.IsEmpty), "the provider stored the file");
            return new SpoolVerdict.Refused("it has no video stream");
        }), new MemoryStream(RandomNumberGenerator.GetBytes(200_000)), CancellationToken.None);

        Assert.Equal("it has no video stream", Assert.IsType<StoreOutcome.Refused>(outcome).Reason);
        Assert.Empty(_cloudinary.Files);
        Assert.Equal(0, _s3.Uploads);
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task A_refusal_while_the_provider_is_still_receiving_stops_it_and_nothing_is_stored()
    {
        _cloudinary.Fault = MemoryProviderFault.Hang;
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");

        var outcome = await chain.StoreAsync(
            Request((_, _) => Task.FromResult<SpoolVerdict>(new SpoolVerdict.Refused("it cannot be decoded"))),
            new MemoryStream(RandomNumberGenerator.GetBytes(200_000)),
            CancellationToken.None);

        Assert.Equal("it cannot be decoded", Assert.IsType<StoreOutcome.Refused>(outcome).Reason);
        Assert.Empty(_cloudinary.Files);
        Assert.Empty(_s3.Files);
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task An_inspector_that_throws_refuses_the_file_without_repeating_its_error()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");

        var outcome = await chain.StoreAsync(
            Request((_, _) => throw new InvalidOperationException("secret detail from inside the inspector")),
            new MemoryStream(RandomNumberGenerator.GetBytes(100_000)),
            CancellationToken.None);

        var refused = Assert.IsType<StoreOutcome.Refused>(outcome);
        Assert.DoesNotContain("secret", refused.Reason, StringComparison.Ordinal);
        Assert.Empty(_cloudinary.Files);
        Assert.Empty(_harness.SpoolFiles());
    }

    private static StoreFileRequest Request(SpoolInspector inspect) => new(StoredFileKind.Video, Key, "video/mp4", 10_000_000, inspect);
}
