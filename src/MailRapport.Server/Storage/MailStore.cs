using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailRapport.Server.Storage;

/// <summary>
/// The database (SQLite or PostgreSQL): connections, transactions and the schema. It holds no SQL about data: each
/// store owns its tables (<see cref="InteractionStore"/>, <see cref="ProfileStore"/>, the Graph sync state, the
/// mailbox registry) and erases its share of a mailbox (<see cref="MailboxEraser"/>).
/// </summary>
public sealed class MailStore(DbDataSource dataSource, StoreProvider provider) : IAsyncDisposable
{
    public StoreProvider Provider => provider;

    /// <summary>Where the data lives, for messages: the SQLite file's full path, or PostgreSQL's host:port/database.</summary>
    public string Location { get; } = provider == StoreProvider.Sqlite
        ? System.IO.Path.GetFullPath(new SqliteConnectionStringBuilder(dataSource.ConnectionString).DataSource)
        : new NpgsqlConnectionStringBuilder(dataSource.ConnectionString) is var pg ? $"{pg.Host}:{pg.Port}/{pg.Database}" : "";

    public static MailStore Open(StoreOptions options)
    {
        if (options.Provider == StoreProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
                throw new InvalidOperationException("Store:ConnectionString is required when Store:Provider is Postgres.");
            return new MailStore(NpgsqlDataSource.Create(options.ConnectionString), StoreProvider.Postgres);
        }
        var cs = options.ConnectionString;
        if (string.IsNullOrWhiteSpace(cs))
        {
            var full = System.IO.Path.GetFullPath(options.Path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            cs = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true, DefaultTimeout = 60 }.ToString();
        }
        return new MailStore(SqliteFactory.Instance.CreateDataSource(cs), StoreProvider.Sqlite);
    }

    public static MailStore OpenSqlite(string path) => Open(new StoreOptions { Path = path });

    public async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken ct = default)
    {
        // SQLite waits on a busy database through the connection string's Default Timeout (set in Open); the schema
        // has no foreign keys to switch on.
        var connection = await dataSource.OpenConnectionAsync(ct);
        if (connection is SqliteConnection sqlite) Tune(sqlite);
        return connection;
    }

    /// <summary>
    /// Per-connection SQLite settings (a pooled connection keeps them; setting them again costs microseconds).
    /// synchronous=NORMAL: under WAL a commit no longer waits for fsync; a crash of the process loses nothing, a power
    /// loss may roll back the last commits, each whole with its scan state, so a scan resumes from the page before
    /// (docs/decisions/024-sqlite-writes.md). A larger page cache keeps a scan's indexes in memory; a larger WAL before
    /// a checkpoint (32 MB, not 4 MB) lets a commit of 2,000 items end without copying pages the next commit rewrites.
    /// </summary>
    private static void Tune(SqliteConnection connection)
    {
        // SQLite's own busy handler, for the statements run on the native handle (these pragmas, SqliteStatement):
        // Microsoft.Data.Sqlite retries its own commands on a busy database, but not ours. Same wait as its commands.
        int rc = SQLitePCL.raw.sqlite3_busy_timeout(connection.Handle, (int)Math.Min(int.MaxValue, connection.DefaultTimeout * 1000L));
        if (rc == SQLitePCL.raw.SQLITE_OK)
            rc = SQLitePCL.raw.sqlite3_exec(connection.Handle, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 8192;");
        if (rc != SQLitePCL.raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, connection.Handle);
    }

    /// <summary>Creates or upgrades the schema. Safe to call from several processes at once.</summary>
    /// <exception cref="StoreUnusableException">The store cannot be used; the message says which, why and what to do.</exception>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        try
        {
            if (provider == StoreProvider.Sqlite && StoreProblems.CheckSqliteFile(Location) is { } problem)
                throw new StoreUnusableException(problem);
            await MigrateCoreAsync(ct);
        }
        catch (Exception e) when (e is not StoreUnusableException && !ct.IsCancellationRequested && Explain(e) is { } problem)
        {
            throw new StoreUnusableException(problem, e);
        }
    }

    /// <summary>One line saying what is wrong with the store, or null when <paramref name="e"/> is not about the store.</summary>
    public string? Explain(Exception e) => StoreProblems.Explain(e, provider, Location);

    /// <summary>Null when the store answers; otherwise one line saying what is wrong (for health checks).</summary>
    public async Task<string?> ProbeAsync(CancellationToken ct = default)
    {
        try
        {
            if (provider == StoreProvider.Sqlite && StoreProblems.CheckSqliteFile(Location) is { } problem) return problem;
            await SchemaVersionAsync(ct);
            return null;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return Explain(e) ?? $"{Location} cannot be read: {e.Message}";
        }
    }

    /// <summary>The last schema step applied (null before the first migration).</summary>
    public async Task<long?> SchemaVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(version) FROM schema_version", cancellationToken: ct));
    }

    private async Task MigrateCoreAsync(CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct);
        if (provider == StoreProvider.Sqlite)
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY)");
        foreach (var (version, sql) in Schema.Steps)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            if (provider == StoreProvider.Postgres)
                await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(727274)", transaction: tx); // one migrator at a time
            var applied = await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM schema_version WHERE version = @version", new { version }, tx);
            if (applied > 0) { await tx.RollbackAsync(ct); continue; }
            await connection.ExecuteAsync(sql, transaction: tx);
            await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version)", new { version }, tx);
            await tx.CommitAsync(ct);
        }
    }

    /// <summary>Opens a connection and begins a transaction on it: the unit the stores write in together.</summary>
    public async Task<StoreTransaction> BeginAsync(CancellationToken ct = default)
    {
        var connection = await OpenConnectionAsync(ct);
        try
        {
            return new StoreTransaction(connection, await connection.BeginTransactionAsync(ct));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
