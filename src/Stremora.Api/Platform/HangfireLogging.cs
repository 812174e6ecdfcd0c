using Hangfire.AspNetCore;
using Hangfire.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stremora.Api.Platform;

/// <summary>
/// Hangfire logs through one process-wide provider, set by whichever host configured Hangfire last. With several hosts
/// in one process (the test kit runs many) that host may already be stopped while another still serves requests: its
/// disposed logger factory then threw from inside Hangfire (the dashboard building a job client answered 500).
/// Loggers come from this host's factory while it lives, and go nowhere once it is disposed.
/// </summary>
internal sealed class HostLogProvider(ILoggerFactory factory) : ILogProvider
{
    private static readonly AspNetCoreLogProvider Stopped = new(NullLoggerFactory.Instance);

    private readonly AspNetCoreLogProvider _live = new(factory);

    public ILog GetLogger(string name)
    {
        try
        {
            return _live.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return Stopped.GetLogger(name);
        }
    }
}
