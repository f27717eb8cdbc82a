using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MailRapport.Server.Storage;

/// <summary>
/// One SQLite statement, prepared once on the connection's native handle and run for many rows, its parameters bound
/// by index. Microsoft.Data.Sqlite binds each parameter by name on every run (a UTF-8 copy of the name and a linear
/// scan of the statement's names, so an IN list of n values costs n² compares); a scan page runs thousands of rows
/// through a few statements, so the hot paths (<see cref="RowBatch"/>) come here. The SQL is the stores' one dialect
/// with @names (docs/decisions/003-one-sql-dialect.md): they become numbered parameters when the statement is prepared.
/// It runs inside whatever transaction the connection has open.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 db;
    private readonly sqlite3_stmt stmt;
    private readonly int[] indexes;
    /// <summary>The string last bound at each position: a row repeating it (the mailbox, the scope) is not bound again.</summary>
    private readonly string?[] boundText;
    /// <summary>UTF-8 of the text being bound, reused: SQLite copies it (SQLITE_TRANSIENT) before the bind returns.</summary>
    private byte[] utf8 = new byte[256];

    private SqliteStatement(sqlite3 db, sqlite3_stmt stmt, int[] indexes)
    {
        this.db = db;
        this.stmt = stmt;
        this.indexes = indexes;
        boundText = new string?[indexes.Length];
    }

    /// <summary>Prepares <paramref name="sql"/> (one statement); <paramref name="names"/> (without @) are the parameters in the order values will come.</summary>
    public static SqliteStatement Prepare(DbConnection connection, string sql, IReadOnlyList<string> names)
    {
        var db = ((SqliteConnection)connection).Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var (numbered, indexes) = Number(sql, names);
        int rc = raw.sqlite3_prepare_v2(db, numbered, out var stmt, out string tail);
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
        if (!string.IsNullOrWhiteSpace(tail))
        {
            stmt.Dispose();
            throw new ArgumentException("SqliteStatement runs one statement; the SQL has more after the first.", nameof(sql));
        }
        return new SqliteStatement(db, stmt, indexes);
    }

    /// <summary>
    /// The SQL with each @name replaced by ?N, N its position in <paramref name="names"/> plus one, and each position's
    /// index (0 when the SQL does not use that name). Numbered parameters need no name lookups: SQLite finds a named
    /// parameter by a linear scan of the names seen so far, on parsing and on every index-to-name query, which is
    /// quadratic in an IN list of 500 values.
    /// </summary>
    internal static (string Sql, int[] Indexes) Number(string sql, IReadOnlyList<string> names)
    {
        var positions = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++) positions.TryAdd(names[i], i);
        var indexes = new int[names.Count];
        var result = new System.Text.StringBuilder(sql.Length + names.Count * 2);
        char quote = '\0'; // inside '...' or "..." (a literal or a quoted name): no parameters there
        for (int i = 0; i < sql.Length; i++)
        {
            char c = sql[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                result.Append(c);
                continue;
            }
            if (c is '\'' or '"') quote = c;
            if (c != '@' || i + 1 >= sql.Length || !IsNameStart(sql[i + 1]))
            {
                result.Append(c);
                continue;
            }
            int end = i + 1;
            while (end < sql.Length && IsNamePart(sql[end])) end++;
            var name = sql[(i + 1)..end];
            if (!positions.TryGetValue(name, out int position))
                throw new ArgumentException($"The SQL names a parameter that was not given: {name}.", nameof(names));
            indexes[position] = position + 1;
            result.Append('?').Append(position + 1);
            i = end - 1;
        }
        return (result.ToString(), indexes);

        static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';
        static bool IsNamePart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
    }

    /// <summary>
    /// Binds the value of the <paramref name="position"/>-th name given to <see cref="Prepare"/>. A bound value stays
    /// through sqlite3_reset, so the same string instance as the last one bound there is not encoded and bound again.
    /// </summary>
    public void Bind(int position, object? value)
    {
        int i = indexes[position];
        if (i == 0) return; // a name this statement does not use
        if (value is string text && ReferenceEquals(boundText[position], text)) return;
        boundText[position] = null;
        int rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(stmt, i),
            string s => BindText(position, i, s),
            long l => raw.sqlite3_bind_int64(stmt, i, l),
            int n => raw.sqlite3_bind_int64(stmt, i, n),
            short n => raw.sqlite3_bind_int64(stmt, i, n),
            byte n => raw.sqlite3_bind_int64(stmt, i, n),
            bool b => raw.sqlite3_bind_int64(stmt, i, b ? 1 : 0),
            double d => raw.sqlite3_bind_double(stmt, i, d),
            byte[] bytes => raw.sqlite3_bind_blob(stmt, i, bytes),
            _ => throw new ArgumentException($"No SQLite binding for {value.GetType()}.", nameof(value)),
        };
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
    }

    private int BindText(int position, int index, string text)
    {
        // SQLitePCL's string overload allocates a UTF-8 copy per call; an empty span would bind NULL, so "" takes that path.
        if (text.Length == 0) return raw.sqlite3_bind_text(stmt, index, text);
        int most = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        if (utf8.Length < most) utf8 = new byte[Math.Max(most, utf8.Length * 2)];
        int length = System.Text.Encoding.UTF8.GetBytes(text, utf8);
        int rc = raw.sqlite3_bind_text(stmt, index, utf8.AsSpan(0, length));
        if (rc == raw.SQLITE_OK) boundText[position] = text;
        return rc;
    }

    /// <summary>Binds one row's values, in the order of the names given to <see cref="Prepare"/>.</summary>
    public void BindAll(IReadOnlyList<object?> values)
    {
        for (int p = 0; p < values.Count; p++) Bind(p, values[p]);
    }

    /// <summary>Runs the bound statement to its end; returns the rows it changed. Ready to bind the next row after.</summary>
    public int Execute()
    {
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW) { }
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, db);
            return raw.sqlite3_changes(db);
        }
        finally
        {
            raw.sqlite3_reset(stmt);
        }
    }

    /// <summary>Runs the bound query, handing each row's values (integers as Int64, text, real, blob, null) to <paramref name="read"/>.</summary>
    public void Query(Action<object?[]> read)
    {
        try
        {
            int columns = raw.sqlite3_column_count(stmt);
            while (Step())
            {
                var row = new object?[columns];
                for (int c = 0; c < columns; c++)
                    row[c] = raw.sqlite3_column_type(stmt, c) switch
                    {
                        raw.SQLITE_INTEGER => raw.sqlite3_column_int64(stmt, c),
                        raw.SQLITE_TEXT => raw.sqlite3_column_text(stmt, c).utf8_to_string(),
                        raw.SQLITE_FLOAT => raw.sqlite3_column_double(stmt, c),
                        raw.SQLITE_BLOB => raw.sqlite3_column_blob(stmt, c).ToArray(),
                        _ => null,
                    };
                read(row);
            }
        }
        finally
        {
            raw.sqlite3_reset(stmt); // also when read throws mid-way (Step resets only at the end)
        }
    }

    /// <summary>
    /// Steps the bound query to its next row: true on a row (read its columns with raw.sqlite3_column_* on
    /// <see cref="Handle"/>, typed, nothing boxed), false at the end (then reset, ready to bind again).
    /// </summary>
    public bool Step()
    {
        int rc = raw.sqlite3_step(stmt);
        if (rc == raw.SQLITE_ROW) return true;
        raw.sqlite3_reset(stmt);
        if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, db);
        return false;
    }

    /// <summary>The native statement, for typed column reads of the row <see cref="Step"/> is on.</summary>
    public sqlite3_stmt Handle => stmt;

    public void Dispose() => stmt.Dispose();
}
