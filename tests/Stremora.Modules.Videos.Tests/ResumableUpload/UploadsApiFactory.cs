using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Stremora.TestKit.Host;

namespace Stremora.Modules.Videos.Tests.ResumableUpload;

/// <summary>The real host on Kestrel (tus-js-client runs in another process) with local-disk storage and a 32 MiB limit.</summary>
public class UploadsApiFactory : StremoraApiFactory
{
    public const long MaxVideoBytes = 32L * 1024 * 1024;

    public UploadsApiFactory()
    {
        With("Upload:MaxVideoBytes", MaxVideoBytes.ToString(CultureInfo.InvariantCulture));
        With("Uploads:StoreRetryDelaySeconds", "1");
    }

    public Uri Endpoint => new(ServerAddress, "/api/uploads");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StartKestrel();
    }

    /// <summary>A client of the real server speaking tus 1.0.0, signed in as <paramref name="userId"/> (anonymous when null).</summary>
    public HttpClient TusClient(string? userId, bool admin = false)
    {
        var client = new HttpClient { BaseAddress = ServerAddress, Timeout = TimeSpan.FromMinutes(3) };
        client.DefaultRequestHeaders.Add("Tus-Resumable", "1.0.0");
        if (userId is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(userId, admin));
        }

        return client;
    }

    /// <summary>Upload-Metadata as tus clients send it.</summary>
    public static string Metadata(params (string Key, string Value)[] pairs) =>
        string.Join(',', pairs.Select(p => p.Key + " " + Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Value))));
}

/// <summary>The host's clock can be moved forward (and runs on from there), so an upload can expire without a test waiting for it.</summary>
public sealed class ExpiringUploadsApiFactory : UploadsApiFactory
{
    public ShiftedClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>The system clock plus a shift a test sets.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Shift { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
}
