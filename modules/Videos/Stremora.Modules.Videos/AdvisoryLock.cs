using Npgsql;

namespace Stremora.Modules.Videos;

/// <summary>
/// A PostgreSQL session advisory lock on one connection held open for as long as the work runs: it holds across
/// instances, cannot expire under long work, only its holder releases it, and a holder that dies (kill -9
/// included) releases it with its session. Keys share the database's one advisory-lock space with Marten's.
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
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", key);
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return new Held(connection, key);
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

    private sealed class Held(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // The connection goes back to the pool: its session, and so the lock, would outlive the work otherwise.
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                command.Parameters.AddWithValue("key", key);
                await command.ExecuteScalarAsync(CancellationToken.None);
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
