using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Stremora.Bench.Infrastructure;
using Stremora.TestKit.Host;

namespace Stremora.Bench.Suites;

/// <summary>
/// The real API hosted in the bench process on a Kestrel port, plus one extra endpoint the product does not
/// have: the bare minimal-API baseline that reads the same row with Npgsql. The baseline is added from here
/// (a startup filter), so no benchmark code lives in the product.
/// </summary>
internal sealed class ReadsHost : StremoraApiFactory
{
    public const string BaselinePrefix = "/bench-baseline";

    private NpgsqlDataSource? _baselineDb;

    /// <summary>The bare baseline's read of the video's row.</summary>
    public static Uri BaselineUrl(Uri baseAddress, Guid videoId) => new(baseAddress, $"{BaselinePrefix.TrimStart('/')}/videos/{videoId}");

    /// <summary>Each URL answers 200 before it is measured: wrk would otherwise time error pages.</summary>
    public static async Task EnsureOkAsync(HttpClient http, IEnumerable<Uri> urls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(urls);
        foreach (var url in urls)
        {
            using var response = await http.GetAsync(url, cancellationToken);
            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: the benchmark needs 200.");
            }
        }
    }

    /// <summary>Starts the host on a free loopback port with the chain <c>s3</c> (the bench's moto bucket).</summary>
    public static async Task<(ReadsHost Host, Uri BaseAddress)> StartAsync(BenchContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var s3 = await context.S3Async();
        var port = Loopback.FreePort();

        // WebApplicationFactory's own way to find the API's content root when the caller is not a test project beside it.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_STREMORA_API", context.Options.ApiDirectory);
        var host = new ReadsHost();
        await host.InitializeAsync();
        foreach (var (key, value) in s3.Settings)
        {
            host.With(key, value);
        }

        host.With("Storage:Order", "s3").With("Logging:LogLevel:Default", "Warning");
        host.UseKestrel(port);
        host.StartServer();
        return (host, new Uri($"http://127.0.0.1:{port}/"));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        _baselineDb = NpgsqlDataSource.Create(ConnectionString);
        var db = new BaselineDb(_baselineDb);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new BaselineEndpoint(db)));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_baselineDb is not null)
        {
            await _baselineDb.DisposeAsync();
        }
    }

    /// <summary>Its own pool on the same database, so the baseline never borrows the product's.</summary>
    private sealed record BaselineDb(NpgsqlDataSource Source);

    private sealed class BaselineEndpoint(BaselineDb db) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map(BaselinePrefix, branch =>
            {
                branch.UseRouting();
                branch.UseEndpoints(endpoints => endpoints.MapGet("/videos/{id:guid}", ReadAsync));
            });
            next(app);
        };

        private async Task<IResult> ReadAsync(Guid id, CancellationToken cancellationToken)
        {
            await using var command = db.Source.CreateCommand("select data from stremora.mt_doc_videodetails where id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = id });
            var json = await command.ExecuteScalarAsync(cancellationToken) as string;
            return json is null ? Results.NotFound() : Results.Text(json, "application/json");
        }
    }
}
