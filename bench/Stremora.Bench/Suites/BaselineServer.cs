using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Stremora.Bench.Suites;

/// <summary>The start-up baseline: the bench executable run as a bare ASP.NET Core app answering /health/ready.</summary>
internal static class BaselineServer
{
    public const string Argument = "--baseline-server";

    public static async Task RunAsync()
    {
        var builder = WebApplication.CreateBuilder();
        var app = builder.Build();
        app.MapGet("/health/ready", () => Results.Text("Healthy"));
        await app.RunAsync();
    }
}
