using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Stremora.OperationsTests.Infrastructure;
using Stremora.TestKit;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.Postgres;
using Stremora.TestKit.S3;
using Xunit.Abstractions;

namespace Stremora.OperationsTests.Metrics;

/// <summary>The API as its own process, scraped by a real Prometheus with the scrape token.</summary>
public sealed class PrometheusScrapeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ScrapeToken = "operations-tests-scrape-token-0123456789";

    private FakeCloudinaryServer _cloudinary = null!;
    private ApiProcess _api = null!;

    public async Task InitializeAsync()
    {
        _cloudinary = await FakeCloudinaryServer.StartAsync();
        var bucket = await MotoServer.Instance.CreateBucketAsync();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:Postgres"] = await PostgresServer.Instance.CreateDatabaseAsync("stremora_metrics"),
            ["Auth:SigningKey"] = Stremora.TestKit.Host.TestTokens.SigningKey,
            ["Storage:Order"] = "cloudinary,s3",
            ["Metrics:ScrapeToken"] = ScrapeToken,
        };
        foreach (var (key, value) in _cloudinary.Settings.Concat(bucket.Settings.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))))
        {
            settings[key] = value!;
        }

        _api = await ApiProcess.StartAsync(new ApiProcessOptions { Settings = settings });
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _cloudinary.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_are_for_admins_and_the_scrape_token_only()
    {
        using var anonymous = _api.Client();
        using var response = await anonymous.GetAsync(new Uri("metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());

        using var user = _api.Client("metrics-user");
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.GetAsync(new Uri("metrics", UriKind.Relative))).StatusCode);
        using var wrongToken = _api.Client();
        wrongToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongToken.GetAsync(new Uri("metrics", UriKind.Relative))).StatusCode);

        using var admin = _api.Client("metrics-admin", admin: true);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(new Uri("metrics", UriKind.Relative))).StatusCode);
        Assert.Contains("# TYPE", await ScrapeAsync());
    }

    [Fact]
    public async Task Prometheus_sees_an_upload_fail_over_from_cloudinary_to_s3_by_provider_and_outcome()
    {
        _cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        using var client = _api.Client("metrics-owner");
        using var form = Uploads.Form("Failed over", Samples.Mp4(64 * 1024));
        using var created = await client.PostAsync(new Uri("api/videos", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("s3", JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("video").GetProperty("provider").GetString());

        await using var prometheus = await PrometheusServer.StartAsync(_api.BaseAddress, ScrapeToken);
        const string Attempts = "sum by (provider, outcome) (stremora_storage_attempts_total)";
        const string Failovers = "sum by (provider, outcome) (stremora_storage_failovers_total)";
        IReadOnlyDictionary<string, double> attempts = new Dictionary<string, double>();
        await Eventually.UntilAsync(
            async () => (attempts = await prometheus.SeriesAsync(Attempts, "provider", "outcome")).Count >= 2,
            "Prometheus has scraped the attempt counters",
            TimeSpan.FromSeconds(60));
        var failovers = await prometheus.SeriesAsync(Failovers, "provider", "outcome");
        var up = await prometheus.SeriesAsync("up", "job");

        output.WriteLine($"{Attempts} => {string.Join("; ", attempts.Select(a => $"{{{a.Key}}} {a.Value}"))}");
        output.WriteLine($"{Failovers} => {string.Join("; ", failovers.Select(a => $"{{{a.Key}}} {a.Value}"))}");
        Assert.Equal(new Dictionary<string, double> { ["cloudinary,failed"] = 1, ["s3,stored"] = 1 }, attempts);
        Assert.Equal(new Dictionary<string, double> { ["cloudinary,failed"] = 1 }, failovers);
        Assert.Equal(1, up["stremora"]);
    }

    [Fact]
    public async Task Promtool_accepts_the_exposition()
    {
        using var client = _api.Client("metrics-owner");
        using var form = Uploads.Form("Counted", Samples.Mp4(16 * 1024));
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync(new Uri("api/videos", UriKind.Relative), form)).StatusCode);

        var exposition = await ScrapeAsync();
        var (exitCode, lint) = await Tools.RunAsync("promtool", exposition, "check", "metrics");

        Assert.True(exitCode == 0, $"promtool check metrics failed:\n{lint}");
        Assert.Contains("stremora_storage_attempts_total{", exposition);
        Assert.Contains("stremora_storage_circuit_state{", exposition);
        Assert.Contains("http_server_request_duration_seconds_bucket{", exposition);
        Assert.DoesNotContain("Username=", exposition);
    }

    private async Task<string> ScrapeAsync()
    {
        using var scraper = _api.Client();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken);
        return await scraper.GetStringAsync(new Uri("metrics", UriKind.Relative));
    }
}
