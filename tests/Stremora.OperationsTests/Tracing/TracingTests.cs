using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry.Trace;
using Stremora.OperationsTests.Infrastructure;
using Stremora.TestKit;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.S3;
using Xunit.Abstractions;

namespace Stremora.OperationsTests.Tracing;

/// <summary>The real host with an in-memory trace exporter, Cloudinary answering 500 and S3 on moto_server.</summary>
public sealed class TracingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SpanCollection _spans = new();
    private FakeCloudinaryServer _cloudinary = null!;
    private TracedApiFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _cloudinary = await FakeCloudinaryServer.StartAsync();
        var bucket = await MotoServer.Instance.CreateBucketAsync();
        _factory = new TracedApiFactory(_spans);
        _factory.With("Storage:Order", "cloudinary,s3").With("Cleanup:RetryDelaySeconds", "1");
        foreach (var (key, value) in _cloudinary.Settings)
        {
            _factory.With(key, value);
        }

        foreach (var (key, value) in bucket.Settings)
        {
            _factory.With(key, value);
        }

        await _factory.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _cloudinary.DisposeAsync();
    }

    [Fact]
    public async Task An_upload_that_fails_over_is_one_trace_with_a_failed_cloudinary_attempt_and_a_stored_s3_attempt_under_the_request()
    {
        _cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        using var client = _factory.ClientFor("trace-owner");
        var traceId = ActivityTraceId.CreateRandom();
        var video = Samples.Mp4(48 * 1024);

        using var created = await SendAsync(client, HttpMethod.Post, "api/videos", traceId, Uploads.Form("Traced", video));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var spans = await SettledTraceAsync(traceId, "POST /api/videos");
        output.WriteLine(SpanCollection.Tree(spans));
        var request = Assert.Single(spans, s => s.DisplayName == "POST /api/videos");
        var attempts = spans.Where(s => s.Source.Name == "Stremora.Storage").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(["cloudinary", "s3"], attempts.Select(a => (string)a.GetTagItem("stremora.storage.provider")!));
        Assert.Equal(["failed", "stored"], attempts.Select(a => (string)a.GetTagItem("stremora.storage.outcome")!));
        Assert.Equal([ActivityStatusCode.Error, ActivityStatusCode.Ok], attempts.Select(a => a.Status));
        Assert.Equal((long)video.Length, attempts[1].GetTagItem("stremora.storage.bytes"));
        Assert.All(attempts, a => Assert.True(IsUnder(a, request, spans), $"{a.DisplayName} is not under the request span"));
        // Each attempt's own HTTP calls nest inside it: Cloudinary's REST API, and S3 through the AWS SDK's HttpClient.
        Assert.Contains(spans, s => s.Kind == ActivityKind.Client && s.ParentSpanId == attempts[0].SpanId && s.GetTagItem("http.response.status_code") is 500);
        Assert.Contains(spans, s => s.Kind == ActivityKind.Client && s.ParentSpanId == attempts[1].SpanId && s.GetTagItem("http.response.status_code") is 200);
        Assert.Contains(spans, s => s.Source.Name == "Npgsql" && IsUnder(s, request, spans));
    }

    [Fact]
    public async Task The_cleanup_job_of_a_delete_is_linked_to_the_delete_trace()
    {
        using var client = _factory.ClientFor("trace-owner");
        using var created = await SendAsync(client, HttpMethod.Post, "api/videos", ActivityTraceId.CreateRandom(), Uploads.Form("Deleted", Samples.Mp4(8 * 1024)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        var deleteTrace = ActivityTraceId.CreateRandom();

        using var deleted = await SendAsync(client, HttpMethod.Delete, $"api/videos/{id}", deleteTrace);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Activity? job = null;
        await Eventually.UntilAsync(
            () => Task.FromResult((job = _spans.From("Stremora.Jobs").FirstOrDefault(s => s.Links.Any(l => l.Context.TraceId == deleteTrace))) is not null),
            "a job span linked to the delete's trace has ended",
            TimeSpan.FromSeconds(60));
        output.WriteLine(SpanCollection.Tree(_spans.InTrace(deleteTrace)));
        output.WriteLine(SpanCollection.Tree(_spans.InTrace(job!.TraceId)));
        Assert.Equal("job StoredFileCleanupJob", job.DisplayName);
        Assert.Equal(ActivityStatusCode.Ok, job.Status);
        Assert.NotEqual(deleteTrace, job.TraceId);
        // The outbox enqueued the job inside the delete's trace: that span is what the job links to.
        var enqueue = Assert.Single(_spans.InTrace(deleteTrace), s => s.Source.Name == "Stremora.Events");
        Assert.Equal(enqueue.SpanId, Assert.Single(job.Links).Context.SpanId);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, ActivityTraceId traceId, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        return await client.SendAsync(request);
    }

    /// <summary>The trace once the service's request span has ended: every span under it ended before.</summary>
    private async Task<IReadOnlyList<Activity>> SettledTraceAsync(ActivityTraceId traceId, string requestSpan)
    {
        await Eventually.UntilAsync(
            () => Task.FromResult(_spans.InTrace(traceId).Any(s => s.DisplayName == requestSpan)),
            "the request span has ended",
            TimeSpan.FromSeconds(30));
        return _spans.InTrace(traceId);
    }

    private static bool IsUnder(Activity span, Activity ancestor, IReadOnlyList<Activity> trace)
    {
        for (var current = span; current is not null; current = trace.FirstOrDefault(s => s.SpanId == current.ParentSpanId))
        {
            if (current.ParentSpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    private sealed class TracedApiFactory(SpanCollection spans) : StremoraApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        }
    }
}
