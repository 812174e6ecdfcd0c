using Npgsql;

namespace Stremora.Modules.Videos.StorageMaintenance;

/// <summary>
/// Return-to-primary and reconciliation never run at the same time, on any instance: a copy in flight
/// is an unclaimed file on the primary, which reconciliation would otherwise take for an orphan.
/// A PostgreSQL session advisory lock on one connection held open for the whole job: it cannot expire
/// under a long copy, only its holder releases it, and a holder that dies releases it with its session.
/// </summary>
internal static class MaintenanceLock
{
    /// <summary>The lock's key in the database's one advisory-lock space ("STRMAINT" in ASCII), apart from Marten's.</summary>
    public const long Key = 0x5354_524D_4149_4E54;

    /// <returns>The held lock (dispose to release it), or null when another job holds it.</returns>
    public static async Task<IAsyncDisposable?> TryAcquireAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        var connection = await database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", Key);
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return new Held(connection);
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

    private sealed class Held(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // The connection goes back to the pool: its session, and so the lock, would outlive this job otherwise.
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                command.Parameters.AddWithValue("key", Key);
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
