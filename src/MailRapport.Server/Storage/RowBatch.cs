using System.Data.Common;

namespace MailRapport.Server.Storage;

/// <summary>
/// Runs one statement of the common SQL subset once per row, inside a transaction. PostgreSQL gets the rows in
/// batches (<see cref="DbBatch"/>: one round trip per <see cref="Size"/> rows instead of one per row); SQLite, which
/// is in-process and has no batch, runs one prepared command per row. The SQL text is the same for both.
/// </summary>
internal static class RowBatch
{
    public const int Size = 500;

    /// <summary>Executes <paramref name="sql"/> for every row (values in the order of <paramref name="names"/>); returns the rows affected.</summary>
    public static async Task<int> ExecuteAsync(StoreTransaction tx, string sql, string[] names, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        int affected = 0;
        if (tx.Connection.CanCreateBatch)
        {
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
        await using var cmd = tx.Command(sql);
        var parameters = Db.Parameters(cmd, names);
        foreach (var row in rows)
        {
            for (int i = 0; i < names.Length; i++) parameters[i].Value = row[i] ?? DBNull.Value;
            affected += await cmd.ExecuteNonQueryAsync(ct);
        }
        return affected;
    }

    /// <summary>Adds one parameter per value and returns the placeholders for an IN list ("@k0, @k1, …").</summary>
    public static string InList<T>(DbCommand cmd, string prefix, IReadOnlyList<T> values)
    {
        var names = new string[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            names[i] = "@" + prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Db.Parameter(cmd, prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), values[i]);
        }
        return string.Join(", ", names);
    }
}
