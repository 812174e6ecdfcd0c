using FastEndpoints;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Stremora.Api.Platform;
using Stremora.Modules.Images;
using Stremora.Modules.Storage;
using Stremora.Modules.Videos;

var builder = WebApplication.CreateBuilder(args);

builder.AddStremoraLogging();
builder.Services.AddLargeReceiveBuffers();

builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddStremoraAuthentication(builder.Configuration);
builder.Services.AddStremoraPersistence(builder.Configuration);
builder.Services.AddHangfireDashboardOptions(builder.Configuration);
builder.Services.AddStremoraHealth();
builder.Services.AddStremoraTelemetry(builder.Configuration);
builder.Services.AddMetricsEndpointOptions(builder.Configuration);
builder.Services.AddUploadRateLimiting(builder.Configuration);

// The host composes the modules explicitly; nothing is discovered by reflection across modules.
builder.Services.AddStorageModule(builder.Configuration);
builder.Services.AddVideosModule(builder.Configuration);
builder.Services.AddImagesModule(builder.Configuration);
builder.Services.AddFastEndpoints(o =>
{
    o.DisableAutoDiscovery = true;
    o.Assemblies = [StorageModule.Assembly, VideosModule.Assembly, ImagesModule.Assembly];
});

var app = builder.Build();
try
{
    // Fail fast, before anything connects anywhere, with the settings named (never their values).
    app.Services.GetRequiredService<IStartupValidator>().Validate();
}
// Under the in-process test host ("Testing") the exception itself must reach the test, as it would from StartAsync.
catch (Exception e) when (e is OptionsValidationException or AggregateException && !app.Environment.IsEnvironment("Testing"))
{
    var failures = e is AggregateException all
        ? all.InnerExceptions.OfType<OptionsValidationException>().SelectMany(o => o.Failures)
        : ((OptionsValidationException)e).Failures;
    await Console.Error.WriteLineAsync("Stremora cannot start, invalid configuration: " + string.Join(" ", failures));
    return 1;
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDefaultFiles();   // "/" is the upload page (wwwroot/index.html)
app.UseStaticFiles();
app.UseMetricsEndpoint();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseMissingContentTypeProblem();
app.UseFastEndpoints(c =>
{
    c.Errors.UseProblemDetails();
    c.Endpoints.RoutePrefix = null;
});
app.MapOpenApi("/openapi/{documentName}.json");
app.MapScalarApiReference("/docs", o => o.WithTitle("Stremora video storage API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
app.MapStremoraHealth();
app.UseAdminOnlyHangfireDashboard();

await app.RunAsync();
return 0;

/// <summary>Entry point; public so the test kit's WebApplicationFactory can host it.</summary>
public partial class Program;
