using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Stremora.Modules.Storage.Failover;

namespace Stremora.Modules.Storage.Cloudinary;

internal static class CloudinaryRegistration
{
    public static IServiceCollection AddCloudinaryProvider(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<CloudinaryOptions>()
            .Configure(options => CloudinaryOptions.ReadFrom(configuration, options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CloudinaryOptions>, CloudinaryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient<CloudinaryProvider>(client =>
            {
                // The failover chain decides how long an attempt may take and cancels through the token.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = 1024 * 1024;
            })
            // The provider lives as long as the app: rotate connections here instead of handlers.
            .ConfigurePrimaryHttpMessageHandler(StorageHttpHandlers.LongLived)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("cloudinary-destroy", (pipeline, context) =>
            {
                var destroyTimeout = context.ServiceProvider.GetRequiredService<IOptions<CloudinaryOptions>>().Value.DestroyAttemptTimeout;
                pipeline
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = 3,
                        Delay = TimeSpan.FromMilliseconds(500),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Context) && IsTransient(args.Outcome)),
                    })
                    // Per attempt, destroys only: an upload's duration is the failover chain's call.
                    .AddTimeout(new HttpTimeoutStrategyOptions
                    {
                        TimeoutGenerator = args => ValueTask.FromResult(IsRetryable(args.Context) ? destroyTimeout : Timeout.InfiniteTimeSpan),
                    });
            });

        services.AddStorageProvider<CloudinaryProvider>(CloudinaryProvider.ProviderName);

        services.AddHttpClient<CloudinaryLister>()
            .ConfigurePrimaryHttpMessageHandler(StorageHttpHandlers.LongLived)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler();
        services.AddStoredFileLister<CloudinaryLister>();
        return services;
    }

    /// <summary>Only destroys are retried here: an upload's body is a one-shot stream and the chain owns its retries.</summary>
    private static bool IsRetryable(ResilienceContext context) =>
        context.GetRequestMessage()?.Options.TryGetValue(CloudinaryProvider.Retryable, out var retryable) == true && retryable;

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        HttpClientResiliencePredicates.IsTransient(outcome)
        || outcome.Result?.StatusCode is (HttpStatusCode)420 or HttpStatusCode.Locked;
}
