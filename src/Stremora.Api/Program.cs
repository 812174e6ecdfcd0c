using FastEndpoints;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Stremora.Api.Platform;
using Stremora.Modules.Storage;
using Stremora.Modules.Videos;

var builder = WebApplication.CreateBuilder(args);

builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});

builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddStremoraAuthentication(builder.Configuration);
builder.Services.AddStremoraPersistence(builder.Configuration);
builder.Services.AddHangfireDashboardOptions(builder.Configuration);
builder.Services.AddStremoraHealth();

// The host composes the modules explicitly; nothing is discovered by reflection across modules.
builder.Services.AddStorageModule(builder.Configuration);
builder.Services.AddVideosModule(builder.Configuration);
builder.Services.AddFastEndpoints(o =>
{
    o.DisableAutoDiscovery = true;
    o.Assemblies = [StorageModule.Assembly, VideosModule.Assembly];
});

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseFastEndpoints(c =>
{
    c.Errors.UseProblemDetails();
    c.Endpoints.RoutePrefix = null;
});
app.MapOpenApi("/openapi/{documentName}.json");
app.MapScalarApiReference("/docs", o => o.WithTitle("Stremora video storage API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
app.MapStremoraHealth();
app.UseAdminOnlyHangfireDashboard();

try
{
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    // One clear line naming the setting; never the value (it may be a secret).
    await Console.Error.WriteLineAsync("Stremora cannot start, invalid configuration: " + string.Join(" ", e.Failures));
    return 1;
}

/// <summary>Entry point; public so the test kit's WebApplicationFactory can host it.</summary>
public partial class Program;
