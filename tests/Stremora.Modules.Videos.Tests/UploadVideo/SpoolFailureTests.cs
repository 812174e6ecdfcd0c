using System.Net;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.UploadVideo;

/// <summary>A host whose spool folder turns into a regular file once it runs (a disk or an operator gone wrong).</summary>
public sealed class BrokenSpoolApiFactory : IAsyncLifetime
{
    public VideosApiFactory Api { get; } = new();

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        _ = Api.Services;
        Directory.Delete(Api.SpoolDirectory, recursive: true);
        await File.WriteAllTextAsync(Api.SpoolDirectory, "a file where the spool folder should be");
    }

    public Task DisposeAsync() => Api.DisposeAsync();
}

public sealed class SpoolFailureTests(BrokenSpoolApiFactory broken) : IClassFixture<BrokenSpoolApiFactory>
{
    [Fact]
    public async Task An_upload_the_server_cannot_spool_is_a_503_saying_storage_failed_with_no_path_in_it()
    {
        using var client = broken.Api.ClientFor("spool-broken-owner");

        using var response = await client.UploadAsync(UploadForm.Valid("No room to spool", Samples.Mp4(5000, seed: 135)));

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Storage failed", problem.GetProperty("title").GetString());
        Assert.DoesNotContain(broken.Api.WorkDirectory, problem.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("spool", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(broken.Api.StoredFiles());
    }
}
