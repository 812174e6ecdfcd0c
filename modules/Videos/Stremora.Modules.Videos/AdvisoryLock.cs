using Npgsql;

namespace Stremora.Modules.Videos;

/// <summary>
/// PostgreSQL session advisory locks, each on a connection of its own held open for as long as the work runs: they
/// cannot expire under long work, only their holder releases them, and a holder that dies releases them with its session.
/// </summary>
internal static class AdvisoryLock
{
    /// <returns>The held lock (dispose to release it), or null when someone else holds it.</returns>
    public static async Task<IAsyncDisposable?> TryAcquireAsync(NpgsqlDataSource database, long key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        var connection = await database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (await RunAsync(connection, "SELECT pg_try_advisory_lock(@key)", key, cancellationToken) is true)
            {
                return new Held(connection, "SELECT pg_advisory_unlock(@key)", key);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>Holds <paramref name="key"/> shared: any number of holders at once, each visible to <see cref="IsHeldAsync"/>.</summary>
    public static async Task<IAsyncDisposable> AcquireSharedAsync(NpgsqlDataSource database, long key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        var connection = await database.OpenConnectionAsync(cancellationToken);
        try
        {
            await RunAsync(connection, "SELECT pg_advisory_lock_shared(@key)", key, cancellationToken);
            return new Held(connection, "SELECT pg_advisory_unlock_shared(@key)", key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether any live session holds <paramref name="key"/>: tries it exclusively and lets go at once.</summary>
    public static async Task<bool> IsHeldAsync(NpgsqlDataSource database, long key, CancellationToken cancellationToken)
    {
        await using var free = await TryAcquireAsync(database, key, cancellationToken);
        return free is null;
    }

    private static async Task<object?> RunAsync(NpgsqlConnection connection, string sql, long key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", key);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private sealed class Held(NpgsqlConnection connection, string unlock, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // The connection goes back to the pool: its session, and so the lock, would outlive the work otherwise.
                await RunAsync(connection, unlock, key, CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The session is gone (connection cut, backend ended): so is its lock.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
