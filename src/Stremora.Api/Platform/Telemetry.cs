using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Stremora.SharedKernel;

namespace Stremora.Api.Platform;

/// <summary>
/// OpenTelemetry for the whole host. Metrics: ASP.NET Core, HttpClient, runtime, Npgsql and Stremora's own
/// meters, exported at <c>/metrics</c> (<see cref="MetricsEndpoint"/>). Traces: requests, outgoing HTTP
/// (Cloudinary, and S3 through the AWS SDK's HttpClient), Npgsql commands, storage attempts and Hangfire jobs,
/// exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. <c>OTEL_SDK_DISABLED=true</c> turns it all off.
/// </summary>
internal static class Telemetry
{
    public const string ServiceName = "stremora-api";

    /// <summary>Every Stremora meter and ActivitySource is named <c>Stremora.*</c>.</summary>
    private const string StremoraSources = "Stremora.*";

    /// <summary>Npgsql's own meter and ActivitySource (what Npgsql.OpenTelemetry's AddNpgsql() adds; that package needs Npgsql 10).</summary>
    private const string Npgsql = "Npgsql";

    /// <summary>Npgsql names each pool by its connection string: a label that would publish hosts and user names.</summary>
    private static readonly MetricStreamConfiguration WithoutPoolName = new() { TagKeys = ["state", "db.client.connections.state"] };

    public static IServiceCollection AddStremoraTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Npgsql, StremoraSources)
                .AddView(instrument => instrument.Meter.Name == Npgsql ? WithoutPoolName : null)
                // Gauges whose names end in ".count" read as histogram parts to Prometheus (promtool rejects them).
                .AddView("dotnet.assembly.count", MetricStreamConfiguration.Drop)
                .AddView("dotnet.process.cpu.count", MetricStreamConfiguration.Drop)
                .AddView("dotnet.timer.count", MetricStreamConfiguration.Drop)
                .AddPrometheusExporter())
            .WithTracing(tracing =>
            {
                tracing
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddSource(Npgsql, StremoraSources, EventTracing.SourceName);
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
        return services;
    }

    /// <summary>Scrapes and health probes arrive every few seconds and say nothing about the service's work.</summary>
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(MetricsEndpoint.Path, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
