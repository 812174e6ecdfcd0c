using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Stremora.TestKit.S3;

/// <summary>
/// A real S3 API for the tests: <c>moto_server</c> on a free loopback port, started once per test
/// process and killed when it exits, or the endpoint named by <c>STREMORA_TEST_S3_ENDPOINT</c>
/// (MinIO from docker-compose, say; keys from <c>STREMORA_TEST_S3_ACCESS_KEY</c> /
/// <c>STREMORA_TEST_S3_SECRET_KEY</c>). Every test gets its own fresh bucket.
/// </summary>
public sealed class MotoServer
{
    public const string ExternalVariable = "STREMORA_TEST_S3_ENDPOINT";
    public const string Region = "us-east-1";

    private static readonly Lazy<MotoServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private MotoServer(string endpoint, string accessKey, string secretKey)
    {
        Endpoint = endpoint;
        AccessKey = accessKey;
        SecretKey = secretKey;
    }

    public static MotoServer Instance => Shared.Value;

    public string Endpoint { get; }

    public string AccessKey { get; }

    public string SecretKey { get; }

    /// <summary>A client for assertions (path-style, plain http allowed), independent of the service's own.</summary>
    public AmazonS3Client CreateClient() =>
        new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config { ServiceURL = Endpoint, AuthenticationRegion = Region, ForcePathStyle = true });

    /// <summary>Creates an empty bucket; its <see cref="TestBucket.Settings"/> configure the service to use it.</summary>
    public async Task<TestBucket> CreateBucketAsync()
    {
        var name = $"stremora-test-{Guid.NewGuid():N}"[..40];
        using var client = CreateClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = name });
        return new TestBucket(this, name);
    }

    private static MotoServer Start()
    {
        var external = Environment.GetEnvironmentVariable(ExternalVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new MotoServer(
                external.TrimEnd('/'),
                Environment.GetEnvironmentVariable("STREMORA_TEST_S3_ACCESS_KEY") ?? "test",
                Environment.GetEnvironmentVariable("STREMORA_TEST_S3_SECRET_KEY") ?? "test-secret");
        }

        var port = Loopback.FreePort();

        // Through a tiny shell that kills moto when its stdin closes: that happens however this process
        // ends (test hosts are often killed rather than exited, and ProcessExit handlers then never run).
        var start = new ProcessStartInfo("sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("moto_server -H 127.0.0.1 -p \"$1\" & child=$!; read -r _; kill \"$child\"; wait \"$child\"");
        start.ArgumentList.Add("moto-wrapper");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var process = Process.Start(start) ?? throw new InvalidOperationException("sh did not start.");

        // Drain moto's request log so the pipe never fills and blocks it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.StandardInput.Close();
                process.WaitForExit(5000);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                // Already gone.
            }
        };

        var endpoint = $"http://127.0.0.1:{port}";
        WaitUntilAnswering(endpoint, process);
        return new MotoServer(endpoint, "test", "test-secret");
    }

    private static void WaitUntilAnswering(string endpoint, Process process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited ({process.ExitCode}) before answering: is it on PATH (pip install 'moto[server]')? Or set {ExternalVariable}.");
            }

            try
            {
                using var response = http.GetAsync(new Uri(endpoint + "/")).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Still starting.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("moto_server did not answer within 60 s.");
            }

            // Polling a starting process: no event to wait on.
            Thread.Sleep(100);
        }
    }

}

/// <summary>A fresh bucket on the test S3.</summary>
public sealed record TestBucket(MotoServer Server, string Name)
{
    /// <summary>The service's configuration for this bucket (the standard AWS_* names), for <c>StremoraApiFactory.With(...)</c>.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AWS_REGION"] = MotoServer.Region,
        ["AWS_ACCESS_KEY_ID"] = Server.AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = Server.SecretKey,
        ["AWS_S3_BUCKET_NAME"] = Name,
        ["AWS_ENDPOINT_URL_S3"] = Server.Endpoint,
    };

    /// <summary>Every object key in the bucket.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync()
    {
        using var client = Server.CreateClient();
        var response = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name });
        return (response.S3Objects ?? []).Select(o => o.Key).ToList();
    }

    /// <summary>Every unfinished multipart upload in the bucket.</summary>
    public async Task<IReadOnlyList<string>> MultipartUploadsAsync()
    {
        using var client = Server.CreateClient();
        var response = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Name });
        return (response.MultipartUploads ?? []).Select(u => u.Key).ToList();
    }
}
