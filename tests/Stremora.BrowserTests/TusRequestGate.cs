using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Stremora.TestKit.Host;

namespace Stremora.BrowserTests;

/// <summary>One request to <c>/api/uploads</c> as the server saw it: its method, path, for a PATCH the Upload-Offset it started at, and its answer.</summary>
internal sealed record TusRequest(string Method, string Path, long? Offset)
{
    /// <summary>The status the server answered with; 0 while it is being handled.</summary>
    public int Status { get; set; }
}

/// <summary>The answer to one PATCH, held by <see cref="TusRequestGate"/> until the test opens it or the client gives up on it.</summary>
internal sealed class HeldAnswer(long offset)
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Offset { get; } = offset;

    /// <summary>Completes when the PATCH at <see cref="Offset"/> was taken and its answer is being held.</summary>
    public Task Held => _held.Task;

    /// <summary>Completes when the page went away from the held request (it paused, reloaded, or lost its connection).</summary>
    public Task Abandoned => _abandoned.Task;

    public void Open() => _opened.TrySetResult();

    /// <summary>True for the first PATCH that reaches it: only one answer is held.</summary>
    public bool TryHold() => _held.TrySetResult();

    public async Task WaitAsync(CancellationToken clientGone)
    {
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = clientGone.Register(() => gone.TrySetResult());
        await Task.WhenAny(_opened.Task, gone.Task);
        if (gone.Task.IsCompleted)
        {
            _abandoned.TrySetResult();
        }
    }
}

/// <summary>
/// In front of the host's tus routes: records every request, and can hold the answer to the PATCH that starts at a
/// given offset after the server has taken its chunk. The chunk is durable but the page has not heard so: that is
/// "mid-upload" without timing, and the test pauses or reloads the page while the answer is held.
/// </summary>
internal sealed class TusRequestGate : IStartupFilter
{
    private readonly ConcurrentQueue<TusRequest> _requests = new();
    private HeldAnswer? _hold;
    private long _dropAt = -1;

    public IReadOnlyList<TusRequest> Requests => [.. _requests];

    public HeldAnswer HoldAnswerTo(long offset)
    {
        var hold = new HeldAnswer(offset);
        Volatile.Write(ref _hold, hold);
        return hold;
    }

    /// <summary>Cuts the connection instead of answering the PATCH that starts at <paramref name="offset"/> (once), after its chunk was taken.</summary>
    public void DropAnswerTo(long offset) => Interlocked.Exchange(ref _dropAt, offset);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var request = context.Request;
            if (!request.Path.StartsWithSegments("/api/uploads", StringComparison.OrdinalIgnoreCase))
            {
                await nextMiddleware(context);
                return;
            }

            long? offset = long.TryParse(request.Headers["Upload-Offset"].ToString(), out var o) ? o : null;
            var seen = new TusRequest(request.Method, request.Path.Value!, offset);
            _requests.Enqueue(seen);
            await nextMiddleware(context);
            seen.Status = context.Response.StatusCode;
            // A 204 has no body: nothing has reached the client yet, so it is still waiting for this answer.
            if (!HttpMethods.IsPatch(request.Method) || context.Response.StatusCode != StatusCodes.Status204NoContent || offset is not { } at)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _dropAt, -1, at) == at)
            {
                context.Abort();
            }
            else if (Volatile.Read(ref _hold) is { } hold && hold.Offset == at && hold.TryHold())
            {
                await hold.WaitAsync(context.RequestAborted);
            }
        });
        next(app);
    };
}

/// <summary>The local-disk browser host with a <see cref="TusRequestGate"/> in its pipeline.</summary>
public sealed class GatedBrowserHost : LocalBrowserHost
{
    public GatedBrowserHost()
        : this(new TusRequestGate())
    {
    }

    private GatedBrowserHost(TusRequestGate gate)
        : base(new GatedApiFactory(gate)) => Gate = gate;

    internal TusRequestGate Gate { get; }

    private sealed class GatedApiFactory(TusRequestGate gate) : StremoraApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(gate));
        }
    }
}
