using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
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

/// <summary>Uploads expire a second after their last chunk.</summary>
public sealed class ExpiringUploadsApiFactory : UploadsApiFactory
{
    public ExpiringUploadsApiFactory() => With("Uploads:ExpireAfter", "00:00:01");
}
