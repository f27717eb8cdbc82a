using System.Data.Common;

namespace MailRapport.Server.Storage;

/// <summary>
/// Runs one statement of the common SQL subset for many rows, inside a transaction. PostgreSQL gets the rows in
/// batches (<see cref="DbBatch"/>: one round trip per <see cref="Size"/> rows instead of one per row); SQLite, which
/// is in-process and has no batch, runs one statement prepared once and bound by index (<see cref="SqliteStatement"/>).
/// The SQL text is the same for both.
/// </summary>
internal static class RowBatch
{
    public const int Size = 500;

    /// <summary>Executes <paramref name="sql"/> for every row (values in the order of <paramref name="names"/>); returns the rows affected.</summary>
    public static async Task<int> ExecuteAsync(StoreTransaction tx, string sql, string[] names, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        int affected = 0;
        if (!tx.Connection.CanCreateBatch)
        {
            ct.ThrowIfCancellationRequested();
            using var statement = SqliteStatement.Prepare(tx.Connection, sql, names);
            foreach (var row in rows)
            {
                statement.BindAll(row);
                affected += statement.Execute();
            }
            return affected;
        }
        foreach (var chunk in rows.Chunk(Size))
        {
            await using var batch = tx.Connection.CreateBatch();
            batch.Transaction = tx.Transaction;
            foreach (var row in chunk)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = sql;
                for (int i = 0; i < names.Length; i++)
                {
                    var p = command.CreateParameter();
                    p.ParameterName = "@" + names[i];
                    p.Value = row[i] ?? DBNull.Value;
                    command.Parameters.Add(p);
                }
                batch.BatchCommands.Add(command);
            }
            affected += await batch.ExecuteNonQueryAsync(ct);
        }
        return affected;
    }

    /// <summary>
    /// Runs a query once, handing each row's column values to <paramref name="read"/> (SQLite gives integers as Int64,
    /// PostgreSQL as their declared width). For IN lists of up to <see cref="Size"/> values (<see cref="InList"/>).
    /// </summary>
    public static async Task QueryAsync(StoreTransaction tx, string sql, QueryParameters parameters, Action<object?[]> read, CancellationToken ct)
    {
        if (!tx.Connection.CanCreateBatch)
        {
            ct.ThrowIfCancellationRequested();
            using var statement = SqliteStatement.Prepare(tx.Connection, sql, parameters.Names);
            statement.BindAll(parameters.Values);
            statement.Query(read);
            return;
        }
        var pairs = new (string Name, object? Value)[parameters.Names.Count];
        for (int i = 0; i < pairs.Length; i++) pairs[i] = (parameters.Names[i], parameters.Values[i]);
        await PlainSql.QueryAsync(tx.Connection, tx.Transaction, sql, pairs, reader =>
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            for (int i = 0; i < row.Length; i++) if (row[i] is DBNull) row[i] = null;
            read(row);
        }, ct);
    }

    /// <summary>Adds one parameter per value and returns the placeholders for an IN list ("@k0, @k1, …").</summary>
    public static string InList<T>(QueryParameters parameters, string prefix, IReadOnlyList<T> values)
    {
        var names = new string[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            var name = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameters.Add(name, values[i]);
            names[i] = "@" + name;
        }
        return string.Join(", ", names);
    }
}

/// <summary>A query's parameters by name (without @), in the order added.</summary>
internal sealed class QueryParameters
{
    public List<string> Names { get; } = [];
    public List<object?> Values { get; } = [];

    public QueryParameters Add(string name, object? value)
    {
        Names.Add(name);
        Values.Add(value);
        return this;
    }
}
