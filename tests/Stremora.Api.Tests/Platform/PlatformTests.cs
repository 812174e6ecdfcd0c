using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Snapshooter.Xunit;
using Stremora.TestKit.Host;

namespace Stremora.Api.Tests.Platform;

public sealed class PlatformTests(StremoraApiFactory api) : IClassFixture<StremoraApiFactory>
{
    [Fact]
    public async Task Liveness_answers_200_without_touching_dependencies()
    {
        using var response = await api.CreateClient().GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readiness_checks_postgres_and_reveals_no_addresses()
    {
        using var response = await api.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Healthy", json.RootElement.GetProperty("checks").GetProperty("postgres").GetString());
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=", body, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic YWRtaW46d3Jvbmc=")]
    [InlineData("Basic bm90LWJhc2U2NCE=")]
    public async Task Hangfire_dashboard_refuses_anyone_but_admins_even_from_localhost(string? authorization)
    {
        using var client = api.CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
    }

    [Fact]
    public async Task Hangfire_dashboard_refuses_a_signed_in_user_who_is_not_an_admin()
    {
        using var client = api.ClientFor("user-1");
        using var response = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Hangfire_dashboard_admits_the_configured_basic_credentials()
    {
        using var client = api.CreateClient();
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{StremoraApiFactory.DashboardUser}:{StremoraApiFactory.DashboardPassword}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);

        using var response = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Stremora jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hangfire_dashboard_admits_an_admin_bearer_token()
    {
        using var client = api.ClientFor("admin-1", admin: true);
        using var response = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Hangfire_dashboard_refuses_forged_admin_tokens()
    {
        foreach (var token in new[]
                 {
                     TestTokens.AlgNone("admin-1"),
                     TestTokens.For("admin-1", admin: true, signingKey: "another-key-0123456789abcdef0123456789abcdef"),
                     TestTokens.For("admin-1", admin: true, lifetime: TimeSpan.FromMinutes(-10)),
                     TestTokens.For("admin-1", admin: true, issuer: "someone-else"),
                     TestTokens.For("admin-1", admin: true, audience: "another-api"),
                 })
        {
            using var client = api.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task OpenApi_document_is_served_and_pinned()
    {
        using var response = await api.CreateClient().GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Stremora.TestKit.Snapshots.Json.Parse(body).MatchSnapshot();
    }

    [Fact]
    public async Task Api_reference_page_is_served_at_docs()
    {
        using var response = await api.CreateClient().GetAsync(new Uri("/docs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<title>Stremora video storage API</title>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_route_is_a_problem_details_404()
    {
        using var response = await api.CreateClient().GetAsync(new Uri("/api/nothing-here", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Stremora.TestKit.Snapshots.Json.Parse(body).MatchSnapshot(o => o.IgnoreField("traceId"));
    }
}
