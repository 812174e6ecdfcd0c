using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using Stremora.ReliabilityTests.Infrastructure;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Faults;
using Stremora.TestKit.Host;

namespace Stremora.ReliabilityTests.Secrets;

/// <summary>
/// The host runs with known secret values (Cloudinary API secret, AWS secret key, JWT signing key, dashboard
/// password). After uploads, failovers, a total outage, deletes with their cleanup jobs, refused callers and
/// the admin pages, none of those values appears in any log line (Trace level, exceptions included), any
/// response (headers and bodies), any file the service wrote, or any row it stored (events, documents, jobs).
/// </summary>
public sealed class SecretsTests(CloudAndS3ApiFactory api) : IClassFixture<CloudAndS3ApiFactory>
{
    private const string Owner = "secrets-owner";
    private readonly StringBuilder _responses = new();

    [Fact]
    public async Task No_secret_reaches_logs_responses_files_or_the_database()
    {
        using var owner = api.ClientFor(Owner);
        using var admin = api.ClientFor("secrets-admin", admin: true);

        // Stored on Cloudinary; then Cloudinary fails and S3 takes it; then everything fails.
        var onCloudinary = await UploadAsync(owner, HttpStatusCode.Created);
        api.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        var onS3 = await UploadAsync(owner, HttpStatusCode.Created);
        api.S3Proxy.Fault = TcpFault.Refuse;
        await UploadAsync(owner, HttpStatusCode.ServiceUnavailable);
        api.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InvalidJson);
        await UploadAsync(owner, HttpStatusCode.ServiceUnavailable);
        api.S3Proxy.Fault = TcpFault.None;
        api.Cloudinary.Faults.Clear();

        // Reads, history, admin pages, refusals of every kind.
        foreach (var id in new[] { onCloudinary, onS3 })
        {
            await SendAsync(owner, HttpMethod.Get, $"/api/videos/{id}", HttpStatusCode.OK);
            await SendAsync(owner, HttpMethod.Get, $"/api/videos/{id}/history", HttpStatusCode.OK);
        }

        await SendAsync(owner, HttpMethod.Get, "/api/videos", HttpStatusCode.OK);
        await SendAsync(admin, HttpMethod.Get, "/api/admin/storage", HttpStatusCode.OK);
        await SendAsync(admin, HttpMethod.Get, "/hangfire", HttpStatusCode.OK);
        await SendAsync(admin, HttpMethod.Get, "/hangfire/jobs/succeeded", HttpStatusCode.OK);
        await SendAsync(api.CreateClient(), HttpMethod.Get, "/health/ready", HttpStatusCode.OK);
        await SendAsync(api.CreateClient(), HttpMethod.Get, "/openapi/v1.json", HttpStatusCode.OK);
        using (var basic = api.CreateClient())
        {
            basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{StremoraApiFactory.DashboardUser}:{CloudAndS3ApiFactory.SecretDashboardPassword}")));
            await SendAsync(basic, HttpMethod.Get, "/hangfire", HttpStatusCode.OK);
        }

        foreach (var token in new[] { TestTokens.For(Owner), TestTokens.AlgNone(Owner), TestTokens.For(Owner, lifetime: TimeSpan.FromMinutes(30), notBefore: DateTime.UtcNow.AddHours(-2), signingKey: CloudAndS3ApiFactory.SigningKey) })
        {
            using var forged = api.CreateClient();
            forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await SendAsync(forged, HttpMethod.Delete, $"/api/videos/{onS3}", HttpStatusCode.Unauthorized);
        }

        // Deletes: their cleanup jobs sign Cloudinary destroys and S3 deletes. One destroy fails first.
        api.Cloudinary.Faults.FailNext(FakeCloudinaryFault.ServiceUnavailable, count: 2);
        await SendAsync(owner, HttpMethod.Delete, $"/api/videos/{onCloudinary}", HttpStatusCode.NoContent);
        await SendAsync(owner, HttpMethod.Delete, $"/api/videos/{onS3}", HttpStatusCode.NoContent);
        await Eventually.UntilAsync(async () => api.Cloudinary.Assets.Count == 0 && (await api.Bucket.KeysAsync()).Count == 0, "both providers are empty after the cleanup jobs");
        await SendAsync(owner, HttpMethod.Get, $"/api/videos/{onCloudinary}/history", HttpStatusCode.OK);

        var places = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["logs"] = string.Join("\n", api.Logs.Lines),
            ["responses"] = _responses.ToString(),
            ["files"] = FilesWritten(),
            ["database"] = await DatabaseTextAsync(),
        };
        Assert.True(api.Logs.Lines.Count > 100, "the log capture saw the host's logging");
        Assert.Contains("StorageAttemptFailed", places["database"], StringComparison.Ordinal);
        foreach (var (place, text) in places)
        {
            foreach (var secret in api.Secrets)
            {
                var at = text.IndexOf(secret, StringComparison.Ordinal);
                Assert.True(at < 0, $"A secret appears in the {place}: …{(at < 0 ? "" : text[Math.Max(0, at - 200)..Math.Min(text.Length, at + 50)])}…");
            }
        }
    }

    private async Task<Guid> UploadAsync(HttpClient client, HttpStatusCode expected)
    {
        var form = UploadForm.Valid("Secret test", Samples.Mp4(64 * 1024, seed: (byte)_responses.Length)).Build();
        using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), form);
        var body = await Record(response);
        Assert.True(response.StatusCode == expected, $"Upload answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
        return expected == HttpStatusCode.Created ? JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid() : Guid.Empty;
    }

    private async Task SendAsync(HttpClient client, HttpMethod method, string url, HttpStatusCode expected)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(method, url));
        var body = await Record(response);
        Assert.True(response.StatusCode == expected, $"{method} {url} answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
    }

    private async Task<string> Record(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        _responses.AppendLine(response.ToString()).AppendLine(string.Join("\n", response.Content.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"))).AppendLine(body);
        return body;
    }

    private string FilesWritten()
    {
        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(api.WorkDirectory, "*", SearchOption.AllDirectories))
        {
            text.AppendLine(file).AppendLine(Encoding.UTF8.GetString(File.ReadAllBytes(file)));
        }

        return text.ToString();
    }

    /// <summary>Every row of every table in the service's schemas (events, documents, Hangfire jobs and their arguments), as text.</summary>
    private async Task<string> DatabaseTextAsync()
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables where table_schema in ('stremora', 'hangfire') and table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains(tables, t => t.StartsWith("hangfire.", StringComparison.Ordinal));
        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var dump = new NpgsqlCommand($"select t::text from {table} t", connection);
            await using var rows = await dump.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                text.AppendLine(rows.GetString(0));
            }
        }

        return text.ToString();
    }
}
