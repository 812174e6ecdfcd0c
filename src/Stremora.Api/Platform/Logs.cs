using Microsoft.Extensions.Configuration.Memory;

namespace Stremora.Api.Platform;

/// <summary>
/// Console logs an operator can read: one line per entry with the trace id in its scope, so a request's or
/// job's lines can be found together (and in the trace). <c>Logging__Console__FormatterName=json</c> gives
/// JSON lines instead; every default below is a configuration key, so the environment can change any of them.
/// </summary>
internal static class Logs
{
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss ",
        ["Logging:LogLevel:Default"] = "Information",
        // Marten logs its whole schema SQL (tens of kB on a fresh database) at Information; its warnings stay.
        ["Logging:LogLevel:Marten.IDocumentStore"] = "Warning",
    };

    public static WebApplicationBuilder AddStremoraLogging(this WebApplicationBuilder builder)
    {
        // Lowest precedence: appsettings, the environment and the command line all override these.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole();
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        return builder;
    }
}
