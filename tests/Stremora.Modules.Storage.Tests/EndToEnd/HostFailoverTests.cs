using Microsoft.Extensions.DependencyInjection;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Tests.Local;
using Stremora.TestKit.S3;
using Stremora.TestKit.Streams;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

/// <summary>The chain as the host wires it: S3 first, local disk behind it.</summary>
public sealed class HostFailoverTests
{
    [Fact]
    public async Task When_s3_is_unreachable_the_file_lands_on_local_disk_with_identical_bytes()
    {
        var bucket = await MotoServer.Instance.CreateBucketAsync();
        await using var api = new LocalMediaApiFactory();
        api.WithS3(bucket)
            .With("AWS_ENDPOINT_URL_S3", $"http://127.0.0.1:{Loopback.FreePort()}")
            .With("Storage:Order", "s3,local");
        await api.InitializeAsync();
        var storage = api.Services.GetRequiredService<IVideoStorage>();
        var source = new GeneratedStream(3_000_000);

        var result = Assert.IsType<StoreOutcome.Stored>(await storage.StoreAsync(
            new StoreFileRequest(StoredFileKind.Video, LiveTestFiles.NewKey(), "video/mp4", 10_000_000), source, CancellationToken.None));

        Assert.Equal(
            [("s3", AttemptOutcomes.Failed, "S3 upload failed: S3 unreachable"), ("local", AttemptOutcomes.Stored, null)],
            result.Attempts.Select(a => (a.Provider, a.Outcome, a.Error)));
        Assert.Equal(source.Sha256, result.File.Sha256);
        api.Catalog.Record(result.File);
        using var response = await api.CreateClient().GetAsync(new Uri(result.File.ProviderUrl!, UriKind.Relative));
        Assert.Equal(source.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await response.Content.ReadAsByteArrayAsync())));
        Assert.Empty(Directory.GetFiles(api.SpoolDirectory));
    }
}
