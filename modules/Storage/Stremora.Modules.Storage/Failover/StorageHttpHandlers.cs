namespace Stremora.Modules.Storage.Failover;

internal static class StorageHttpHandlers
{
    /// <summary>For typed clients held by singletons for the app's life: rotate connections instead of handlers.</summary>
    public static SocketsHttpHandler LongLived() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };
}
