using System.Text.Json;
using Marten;
using Stremora.Modules.Videos.GetVideo;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>Captures what exists before a rejected request, then asserts the request left nothing behind.</summary>
public sealed class Leftovers
{
    private readonly VideosApiFactory _api;
    private readonly string _owner;
    private readonly IReadOnlySet<string> _filesBefore;

    private Leftovers(VideosApiFactory api, string owner)
    {
        _api = api;
        _owner = owner;
        _filesBefore = api.StoredFiles();
    }

    public static Leftovers Before(VideosApiFactory api, string owner) => new(api, owner);

    public async Task AssertNoneAsync()
    {
        // No video in the catalog: not listed, and nothing ready or half-uploaded in the read model.
        using var client = _api.CreateClient();
        var list = await client.GetStringAsync(new Uri($"/api/videos?ownerId={Uri.EscapeDataString(_owner)}", UriKind.Relative));
        Assert.Equal(0, JsonDocument.Parse(list).RootElement.GetProperty("total").GetInt32());
        await using var session = _api.Store.QuerySession();
        var live = await session.Query<VideoDetails>()
            .Where(v => v.OwnerId == _owner && (v.Status == VideoStatus.Ready || v.Status == VideoStatus.Uploading))
            .CountAsync();
        Assert.Equal(0, live);

        // No file on the provider, no temp file in the spool.
        var added = _api.StoredFiles().Except(_filesBefore).ToList();
        Assert.True(added.Count == 0, "Files left on local storage: " + string.Join(", ", added));
        Assert.Empty(_api.SpoolFiles());
    }
}
