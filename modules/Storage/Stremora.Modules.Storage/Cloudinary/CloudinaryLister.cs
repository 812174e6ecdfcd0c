using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Maintenance;

namespace Stremora.Modules.Storage.Cloudinary;

/// <summary>
/// Lists the service's assets with the Admin API (<c>GET /v1_1/{cloud}/resources/{video|image}/upload?prefix={folder}/</c>,
/// HTTP Basic api_key:api_secret), a page of 500 at a time. Without a folder it refuses: the whole account
/// is not the service's to judge.
/// </summary>
internal sealed class CloudinaryLister(HttpClient http, IOptions<CloudinaryOptions> options) : IStoredFileLister
{
    private const int PageSize = 500;
    private static readonly (string ResourceType, StoredFileKind Kind)[] ResourceTypes = [("video", StoredFileKind.Video), ("image", StoredFileKind.Thumbnail)];

    private readonly CloudinaryOptions _options = options.Value;

    public string Provider => CloudinaryProvider.ProviderName;

    public async IAsyncEnumerable<ListedFile> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_options.Folder))
        {
            throw new StorageListingException(Provider, $"cloudinary has no folder ({CloudinaryOptions.FolderKey}): the service's files cannot be told from others'.");
        }

        foreach (var (resourceType, kind) in ResourceTypes)
        {
            await foreach (var stored in ListAsync(resourceType, kind, _options.Folder + "/", cancellationToken))
            {
                yield return stored;
            }
        }
    }

    public async Task<bool> ExistsAsync(StoredFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        // An image of the images module is an image resource, as a thumbnail is.
        var (resourceType, kind) = ResourceTypes.First(r => r.Kind == (file.Kind == StoredFileKind.Image ? StoredFileKind.Thumbnail : file.Kind));
        await foreach (var stored in ListAsync(resourceType, kind, file.Locator, cancellationToken))
        {
            if (stored.File.Locator == file.Locator)
            {
                return true;
            }
        }

        return false;
    }

    private async IAsyncEnumerable<ListedFile> ListAsync(string resourceType, StoredFileKind kind, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_options.IsConfigured)
        {
            throw new StorageListingException(Provider, "cloudinary is not configured");
        }

        string? cursor = null;
        do
        {
            var query = $"prefix={Uri.EscapeDataString(prefix)}&max_results={PageSize}" + (cursor is null ? "" : $"&next_cursor={Uri.EscapeDataString(cursor)}");
            var uri = new Uri(_options.BaseAddress, $"v1_1/{Uri.EscapeDataString(_options.CloudName!)}/resources/{resourceType}/upload?{query}");
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.ApiKey}:{_options.ApiSecret}")));

            JsonDocument page;
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    // The body may echo request details; the status is enough and safe.
                    throw new StorageListingException(Provider, $"cloudinary's Admin API answered {(int)response.StatusCode} to a listing");
                }

                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                page = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new StorageListingException(Provider, "cloudinary's Admin API could not be reached", e);
            }
            catch (JsonException e)
            {
                throw new StorageListingException(Provider, "cloudinary's Admin API answered something that is not JSON", e);
            }

            using (page)
            {
                cursor = page.RootElement.TryGetProperty("next_cursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
                if (!page.RootElement.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Array)
                {
                    throw new StorageListingException(Provider, "cloudinary's listing has no resources array");
                }

                foreach (var resource in resources.EnumerateArray())
                {
                    var publicId = resource.GetProperty("public_id").GetString()!;
                    var bytes = resource.TryGetProperty("bytes", out var b) && b.TryGetInt64(out var n) ? n : 0;
                    var createdAt = resource.TryGetProperty("created_at", out var c) && DateTimeOffset.TryParse(c.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                        ? at
                        : DateTimeOffset.MaxValue;
                    var url = resource.TryGetProperty("secure_url", out var u) ? u.GetString() : null;
                    yield return new ListedFile(new StoredFile(Provider, publicId, kind, url, bytes), createdAt);
                }
            }
        }
        while (cursor is not null);
    }
}
