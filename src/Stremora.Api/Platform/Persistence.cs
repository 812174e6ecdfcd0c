using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using JasperFx;
using Weasel.Core;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using Stremora.Modules.Images;
using Stremora.Modules.Videos;

namespace Stremora.Api.Platform;

/// <summary><c>Hangfire:InvisibilityTimeout</c>: how long a job fetched by an instance that died stays hidden before another runs it.</summary>
internal sealed class HangfireJobsOptions
{
    public const string Section = "Hangfire";

    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

internal sealed class PostgresOptions
{
    public string ConnectionString { get; set; } = "";

    public bool IsWellFormed()
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(ConnectionString);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>PostgreSQL for everything durable: Marten (events + read models) and Hangfire (jobs), each in its own schema.</summary>
internal static class Persistence
{
    public const string MartenSchema = "stremora";
    public const string HangfireSchema = "hangfire";

    public static IServiceCollection AddStremoraPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PostgresOptions>()
            .Configure(o => o.ConnectionString = configuration.GetConnectionString("Postgres") ?? "")
            .Validate(
                o => !string.IsNullOrWhiteSpace(o.ConnectionString),
                "ConnectionStrings__Postgres is required (e.g. Host=127.0.0.1;Port=5432;Database=stremora;Username=stremora).")
            .Validate(o => string.IsNullOrEmpty(o.ConnectionString) || o.IsWellFormed(), "ConnectionStrings__Postgres is not a valid PostgreSQL connection string.")
            .ValidateOnStart();

        services.AddOptions<HangfireJobsOptions>()
            .Bind(configuration.GetSection(HangfireJobsOptions.Section))
            .Validate(o => o.InvisibilityTimeout > TimeSpan.Zero, "Hangfire__InvisibilityTimeout must be a positive time span (e.g. 00:05:00).")
            .ValidateOnStart();

        services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString));

        services.AddMarten(sp =>
            {
                var options = new StoreOptions();
                options.Connection(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString);
                options.DatabaseSchemaName = MartenSchema;
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                options.Events.StreamIdentity = StreamIdentity.AsGuid;
                // Without this the async daemon fails: "Multiplexing is currently incompatible with DbDataSource".
                options.Events.UseAdvisoryLockTransaction = true;
                // Events carry the traceparent of whatever appended them, so later work continues that trace.
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.Listeners.Add(new EventTraceContext());
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                options.ConfigureVideos();
                options.ConfigureImages();
                return options;
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            // HotCold: one instance runs the projections, the others stand by (advisory-lock leader election).
            .AddAsyncDaemon(DaemonMode.HotCold);

        // Each host gets its own JobStorage from DI rather than Hangfire's process-wide JobStorage.Current,
        // so two hosts in one process (tests, side-by-side instances) never enqueue into each other's database.
        services.AddSingleton<JobStorage>(sp =>
        {
            var connectionString = sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString;
            // Sliding: a live instance keeps renewing its running jobs' fetch time, so a job whose instance was
            // killed mid-run is retried after a short timeout rather than Hangfire.PostgreSql's default 30 minutes.
            var storageOptions = new PostgreSqlStorageOptions
            {
                SchemaName = HangfireSchema,
                PrepareSchemaIfNecessary = true,
                UseSlidingInvisibilityTimeout = true,
                InvisibilityTimeout = sp.GetRequiredService<IOptions<HangfireJobsOptions>>().Value.InvisibilityTimeout,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
        });
        // Likewise the activator: jobs must be built from this host's container, not whichever host configured Hangfire last.
        services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        // Registered before AddHangfire, which only adds its process-wide filter provider when none is.
        services.AddSingleton<JobTelemetry>();
        services.AddSingleton<IJobFilterProvider, HostJobFilterProvider>();
        services.AddHangfire((sp, hangfire) => hangfire
            .UseLogProvider(new HostLogProvider(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer(server =>
        {
            server.ServerName = $"stremora-{Environment.MachineName}-{Environment.ProcessId}";
            server.WorkerCount = Math.Max(4, Environment.ProcessorCount * 2);
        });
        return services;
    }
}
