using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Stremora.Api.Platform;
using Stremora.TestKit.Host;

namespace Stremora.Api.Tests.Platform;

/// <summary>
/// How much of a request body one read of the socket can bring in: the blocks of Kestrel's memory pool bound it, and
/// every receive is a system call (4 KiB blocks cost a large upload ~400 000 of them per GiB).
/// </summary>
public sealed class ReceiveBufferTests(StremoraApiFactory api) : IClassFixture<StremoraApiFactory>
{
    private const int BodyBytes = 8 * 1024 * 1024;

    [Fact]
    public void The_host_gives_Kestrel_a_pool_of_64_KiB_blocks()
    {
        // The last registration is the one Kestrel's socket transport resolves.
        using var pool = api.Services.GetRequiredService<IMemoryPoolFactory<byte>>().Create();
        using var block = pool.Rent();

        Assert.Equal(64 * 1024, block.Memory.Length);
        Assert.Equal(64 * 1024, pool.MaxBufferSize);
    }

    [Fact]
    public async Task On_real_Kestrel_a_large_body_arrives_in_blocks_bigger_than_4_KiB()
    {
        var largest = 0;
        long received = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddLargeReceiveBuffers();
        await using var app = builder.Build();
        app.MapPost("/body", async (HttpContext context) =>
        {
            var reader = context.Request.BodyReader;
            while (true)
            {
                var read = await reader.ReadAsync(context.RequestAborted);
                foreach (var segment in read.Buffer)
                {
                    largest = Math.Max(largest, segment.Length);
                }

                received += read.Buffer.Length;
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return Results.NoContent();
                }
            }
        });
        await app.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var body = new ByteArrayContent(new byte[BodyBytes]);
        using var response = await http.PostAsync(new Uri("/body", UriKind.Relative), body);

        response.EnsureSuccessStatusCode();
        Assert.Equal(BodyBytes, received);
        Assert.True(largest > 4096, $"largest block {largest} bytes");
        await app.StopAsync();
    }
}
