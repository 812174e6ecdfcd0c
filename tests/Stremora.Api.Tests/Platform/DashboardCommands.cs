using System.Net.Http.Headers;
using System.Text;
using Stremora.TestKit.Host;

namespace Stremora.Api.Tests.Platform;

/// <summary>A dashboard command as the admin's browser sends it: Basic credentials and the given origin header.</summary>
internal static class DashboardCommands
{
    public static async Task<HttpResponseMessage> RemoveRecurringJobAsync(StremoraApiFactory api, string job, string header, string value)
    {
        using var client = api.CreateClient();
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{StremoraApiFactory.DashboardUser}:{StremoraApiFactory.DashboardPassword}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/remove")
        {
            Content = new FormUrlEncodedContent([new("jobs[]", job)]),
        };
        request.Headers.TryAddWithoutValidation(header, value);
        return await client.SendAsync(request);
    }
}
