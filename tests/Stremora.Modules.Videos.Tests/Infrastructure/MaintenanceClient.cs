using System.Net;
using System.Text.Json;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>Runs a maintenance job through its admin route and waits for its report.</summary>
public static class MaintenanceClient
{
    /// <param name="job"><c>rebalance</c> or <c>reconcile</c>.</param>
    /// <returns>The job's report, as <c>GET /api/admin/storage/maintenance</c> shows it once that very job has run.</returns>
    public static async Task<JsonElement> RunAsync(this HttpClient admin, string job)
    {
        using var response = await admin.PostAsync(new Uri($"/api/admin/storage/{job}", UriKind.Relative), null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST {job} answered {(int)response.StatusCode}: {body}");
        Assert.Equal("/api/admin/storage/maintenance", response.Headers.Location?.OriginalString);
        var jobId = JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString();

        JsonElement lastRun = default;
        await Eventually.UntilAsync(
            async () =>
            {
                var (status, status_body) = await admin.SendAsync(HttpMethod.Get, "/api/admin/storage/maintenance");
                Assert.Equal(HttpStatusCode.OK, status);
                lastRun = JsonDocument.Parse(status_body).RootElement.GetProperty(job).GetProperty("lastRun").Clone();
                return lastRun.ValueKind == JsonValueKind.Object && lastRun.GetProperty("jobId").GetString() == jobId;
            },
            $"the {job} job {jobId} reported");
        return lastRun;
    }

    /// <summary>Deletes a video, trying again while a cleanup job appending to its stream makes the delete answer 409.</summary>
    public static async Task DeleteEventuallyAsync(this HttpClient owner, Guid id) =>
        await Eventually.UntilAsync(
            async () =>
            {
                var (status, body) = await owner.SendAsync(HttpMethod.Delete, $"/api/videos/{id}");
                Assert.True(status is HttpStatusCode.NoContent or HttpStatusCode.Conflict, body);
                return status == HttpStatusCode.NoContent;
            },
            $"video {id} is deleted");

    public static string Provider(this JsonElement video, string file = "video") => video.GetProperty(file).GetProperty("provider").GetString()!;

    public static string Locator(this JsonElement video, string file = "video") => video.GetProperty(file).GetProperty("locator").GetString()!;

    public static Guid Id(this JsonElement video) => video.GetProperty("id").GetGuid();
}
