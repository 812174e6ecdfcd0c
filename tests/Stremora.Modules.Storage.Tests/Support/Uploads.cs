using System.Security.Cryptography;
using Stremora.Modules.Storage.Contracts;

namespace Stremora.Modules.Storage.Tests.Support;

/// <summary>What the storage tests send and fetch over and over.</summary>
internal static class Uploads
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(5) };

    public static StoreFileRequest VideoRequest(string name) =>
        new(StoredFileKind.Video, $"videos/{name}-{Guid.NewGuid():N}/video", "video/mp4", MaxBytes: 1L << 31);

    /// <summary>GETs <paramref name="url"/> as a browser would and hashes the body as it streams by.</summary>
    public static async Task<(long Bytes, string Sha256)> FetchAsync(string url)
    {
        using var response = await Http.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}");
        await using var body = await response.Content.ReadAsStreamAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
