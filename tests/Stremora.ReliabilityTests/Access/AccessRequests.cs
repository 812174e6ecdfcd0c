using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Stremora.ReliabilityTests.Infrastructure;

namespace Stremora.ReliabilityTests.Access;

/// <summary>What each cell of the access matrix sends: one request per route, the tus requests and the image form.</summary>
internal static class AccessRequests
{
    internal static readonly byte[] ImageBytes = Samples.Jpeg(2048, seed: 61);

    /// <summary>An avatar upload form (the <c>kind</c> part before the <c>image</c> part).</summary>
    internal static MultipartFormDataContent ImageForm()
    {
        var part = new ByteArrayContent(ImageBytes);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse("image/jpeg");
        return new MultipartFormDataContent { { new StringContent("avatar"), "kind" }, { part, "image", "avatar.jpg" } };
    }

    /// <summary>The request a cell sends to <paramref name="route"/> (about video, upload or image <paramref name="videoId"/>).</summary>
    internal static HttpRequestMessage For(Route route, string videoId) => route switch
    {
        Route.UploadVideo => new HttpRequestMessage(HttpMethod.Post, "/api/videos") { Content = UploadForm.Valid("Matrix upload").Build() },
        Route.GetVideo => new HttpRequestMessage(HttpMethod.Get, $"/api/videos/{videoId}"),
        Route.ListVideos => new HttpRequestMessage(HttpMethod.Get, "/api/videos"),
        Route.DeleteVideo => new HttpRequestMessage(HttpMethod.Delete, $"/api/videos/{videoId}"),
        Route.VideoHistory => new HttpRequestMessage(HttpMethod.Get, $"/api/videos/{videoId}/history"),
        Route.AdminStorage => new HttpRequestMessage(HttpMethod.Get, "/api/admin/storage"),
        Route.HangfireDashboard => new HttpRequestMessage(HttpMethod.Get, "/hangfire"),
        Route.HealthReady => new HttpRequestMessage(HttpMethod.Get, "/health/ready"),
        Route.OpenApi => new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json"),
        Route.CreateUpload => Tus.Create(),
        Route.UploadOffset => Tus.Request(HttpMethod.Head, videoId),
        Route.UploadChunk => Tus.Chunk(videoId),
        Route.TerminateUpload => Tus.Request(HttpMethod.Delete, videoId),
        Route.TusOptions => new HttpRequestMessage(HttpMethod.Options, "/api/uploads"),
        Route.UploadImage => new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = ImageForm() },
        Route.GetImage => new HttpRequestMessage(HttpMethod.Get, $"/api/images/{videoId}"),
        Route.DeleteImage => new HttpRequestMessage(HttpMethod.Delete, $"/api/images/{videoId}"),
        _ => throw new ArgumentOutOfRangeException(nameof(route), route, null),
    };

    internal static bool IsUploadRoute(Route route) => route == Route.CreateUpload || TouchesAnUpload(route);

    internal static bool TouchesAnUpload(Route route) => route is Route.UploadOffset or Route.UploadChunk or Route.TerminateUpload;

    internal static class Tus
    {
        public const int Length = 4096;
        public const int ChunkLength = 1024;

        public static HttpRequestMessage Request(HttpMethod method, string id)
        {
            var request = new HttpRequestMessage(method, id.Length == 0 ? "/api/uploads" : $"/api/uploads/{id}");
            request.Headers.Add("Tus-Resumable", "1.0.0");
            return request;
        }

        public static HttpRequestMessage Create()
        {
            var request = Request(HttpMethod.Post, "");
            request.Headers.Add("Upload-Length", Length.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("Upload-Metadata", "title " + Convert.ToBase64String(Encoding.UTF8.GetBytes("Matrix resumable upload")));
            return request;
        }

        /// <summary>The first kilobyte of a real video: past the sniffed prefix, so a taken chunk answers 204.</summary>
        public static HttpRequestMessage Chunk(string id)
        {
            var request = Request(HttpMethod.Patch, id);
            request.Content = new ByteArrayContent(Samples.Mp4(Length), 0, ChunkLength);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
            request.Headers.Add("Upload-Offset", "0");
            return request;
        }
    }
}
