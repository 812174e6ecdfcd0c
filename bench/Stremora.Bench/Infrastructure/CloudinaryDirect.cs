using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Stremora.TestKit.FakeCloudinary;

namespace Stremora.Bench.Infrastructure;

/// <summary>
/// The baseline for Cloudinary: the file uploaded straight to the fake, the way the provider does it
/// (signed multipart POSTs, 20 MB chunks sent one after the other with X-Unique-Upload-Id and Content-Range).
/// </summary>
internal static class CloudinaryDirect
{
    public const long ChunkBytes = 20_000_000;

    public static async Task<TimeSpan> UploadAsync(HttpClient http, FakeCloudinaryServer fake, string path, string publicId, CancellationToken cancellationToken)
    {
        var total = new FileInfo(path).Length;
        var uploadId = Guid.NewGuid().ToString("N");
        var clock = Stopwatch.StartNew();
        for (long offset = 0; offset < total; offset += ChunkBytes)
        {
            var length = Math.Min(ChunkBytes, total - offset);
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signature = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"public_id={publicId}&timestamp={timestamp}{fake.ApiSecret}")));
            using var form = new MultipartFormDataContent
            {
                { new StringContent(publicId), "public_id" },
                { new StringContent(timestamp), "timestamp" },
                { new StringContent(fake.ApiKey), "api_key" },
                { new StringContent(signature), "signature" },
            };
            var file = new StreamContent(new FileRangeStream(path, offset, length), 81920);
            file.Headers.ContentLength = length;
            file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
            form.Add(file, "file", "video");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fake.BaseAddress, $"v1_1/{fake.CloudName}/video/upload")) { Content = form };
            if (total > ChunkBytes)
            {
                request.Headers.Add("X-Unique-Upload-Id", uploadId);
                form.Headers.TryAddWithoutValidation("Content-Range", $"bytes {offset}-{offset + length - 1}/{total}");
            }

            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"The fake Cloudinary answered {(int)response.StatusCode} to a direct chunk: {body}");
            }
        }

        clock.Stop();
        return clock.Elapsed;
    }
}
