namespace Stremora.TestKit.Host;

/// <summary>How to start an <see cref="ApiProcess"/>.</summary>
public sealed record ApiProcessOptions
{
    /// <summary>Names the instance in messages and its log file.</summary>
    public string Name { get; init; } = "api";

    /// <summary>The assembly <c>dotnet</c> runs; by default the API built beside the caller.</summary>
    public string Dll { get; init; } = Path.Combine(AppContext.BaseDirectory, "Stremora.Api.dll");

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>A fixed port (an instance restarted behind a load balancer); a free one when null.</summary>
    public int? Port { get; init; }

    /// <summary>By default the folder of <see cref="Dll"/>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>When set, output goes to <c>{LogDirectory}/{Name}.log</c>; otherwise it is kept in memory (<see cref="ApiProcess.Output"/>).</summary>
    public string? LogDirectory { get; init; }

    /// <summary>Configuration, passed as environment variables (<c>:</c> becomes <c>__</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
