using System.Data.Common;

namespace MailRapport.Server.Storage;

/// <summary>
/// One open transaction, handed from store to store so that writes to several stores' tables commit together
/// (a Graph page: interactions and sync state; an erasure: every store's rows). Nothing commits without <see cref="CommitAsync"/>.
/// </summary>
public sealed class StoreTransaction(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    internal DbConnection Connection => connection;
    internal DbTransaction Transaction => transaction;

    public Task CommitAsync(CancellationToken ct = default) => transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}

/// <summary>ADO.NET helpers shared by the stores.</summary>
internal static class Db
{
    /// <summary>Integer columns come back as Int64 from SQLite and as their declared width from PostgreSQL.</summary>
    public static long Long(DbDataReader reader, int ordinal) =>
        Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds "@name". The prefix is part of the name because Microsoft.Data.Sqlite looks an unprefixed name up four
    /// times (as given, then with each of @ $ :), each a linear scan of the statement's parameters.
    /// </summary>
    public static DbParameter Parameter(DbCommand cmd, string name, object? value = null)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = "@" + name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
        return p;
    }

    /// <summary>A text column that may be NULL.</summary>
    public static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
}
