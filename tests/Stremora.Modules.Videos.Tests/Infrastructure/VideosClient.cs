using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>HTTP calls the tests make over and over, asserting nothing but what every call must satisfy.</summary>
public static class VideosClient
{
    public static async Task<HttpResponseMessage> UploadAsync(this HttpClient client, UploadForm form, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/videos") { Content = form.Build() };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Uploads a valid video and returns its JSON; fails the test unless it is a 201.</summary>
    public static async Task<JsonElement> UploadValidAsync(this HttpClient client, string title = "A day at the beach", byte[]? video = null, string description = UploadForm.DefaultDescription)
    {
        using var response = await client.UploadAsync(UploadForm.Valid(title, video, description));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Upload answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Uploads a valid video with a JPEG thumbnail (<see cref="Samples.Jpeg"/>) and returns its JSON; fails the test unless it is a 201.</summary>
    public static async Task<JsonElement> UploadWithThumbnailAsync(this HttpClient client, string title)
    {
        using var response = await client.UploadAsync(UploadForm.Valid(title).File("thumbnail", Samples.Jpeg(), "image/jpeg", "poster.jpg"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Upload answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>PATCH /api/videos/{id} with a JSON body, and If-Match when given.</summary>
    public static async Task<HttpResponseMessage> EditAsync(this HttpClient client, Guid id, object changes, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/videos/{id}") { Content = JsonContent.Create(changes) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await client.SendAsync(request);
    }

    /// <summary>PUT /api/videos/{id}/thumbnail with one part <c>thumbnail</c>, and If-Match and Idempotency-Key when given.</summary>
    public static async Task<HttpResponseMessage> ReplaceThumbnailAsync(this HttpClient client, Guid id, byte[] image, string? ifMatch = null, string contentType = "image/jpeg", string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/videos/{id}/thumbnail") { Content = new UploadForm().File("thumbnail", image, contentType, "new-thumbnail.jpg").Build() };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    public static async Task<(HttpStatusCode Status, string Body)> SendAsync(this HttpClient client, HttpMethod method, string url)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(method, url));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Asserts an RFC 9457 body: the problem+json media type, the status inside, and a human title.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>The field names of a validation problem (FastEndpoints' shape: errors: [{name, reason}]).</summary>
    public static IReadOnlyList<string> ErrorNames(this JsonElement problem) =>
        [.. problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("name").GetString()!)];

    public static IReadOnlyList<string> ErrorReasons(this JsonElement problem, string name) =>
        [.. problem.GetProperty("errors").EnumerateArray().Where(e => e.GetProperty("name").GetString() == name).Select(e => e.GetProperty("reason").GetString()!)];
}
