using System.Data.Common;

namespace MailRapport.Server.Storage;

/// <summary>
/// Plain ADO.NET for single statements on a scan's and a recompute's path (sync state, profile state, small reads),
/// one SQL text for both stores. A Dapper call site emits and JITs its own dynamic methods on first use, which a cold
/// process (a first full scan and the recompute that ends it) pays once per call site; these share one compiled path.
/// Statements run for many rows, and IN lists, go through <see cref="RowBatch"/>.
/// </summary>
internal static class PlainSql
{
    public static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) Db.Parameter(cmd, name, value);
        return cmd;
    }

    /// <summary>Runs a statement; returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, (string Name, object? Value)[] parameters,
        CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The first column of the first row, or null when there is no row or it is NULL.</summary>
    public static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? tx, string sql, (string Name, object? Value)[] parameters,
        CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, sql, parameters);
        return await cmd.ExecuteScalarAsync(ct) is { } value and not DBNull ? value : null;
    }

    /// <summary>Runs a query, handing the reader on each row to <paramref name="read"/>.</summary>
    public static async Task QueryAsync(DbConnection connection, DbTransaction? tx, string sql, (string Name, object? Value)[] parameters,
        Action<DbDataReader> read, CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, sql, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) read(reader);
    }
}
