using MailRapport.Server.Storage;
using Microsoft.Data.Sqlite;

namespace MailRapport.Server.Tests.Storage;

/// <summary>The shared dialect's @names become SQLite's numbered parameters, so no statement looks a name up.</summary>
public sealed class SqliteStatementTests
{
    [Theory]
    [InlineData("SELECT @a, @b", "a,b", "SELECT ?1, ?2", "1,2")]
    [InlineData("SELECT @b, @a, @b", "a,b", "SELECT ?2, ?1, ?2", "1,2")]
    [InlineData("SELECT @a", "a,unused", "SELECT ?1", "1,0")]
    [InlineData("SELECT '@a', \"@a\", @a_1 FROM t WHERE x = 'it''s @a'", "a_1", "SELECT '@a', \"@a\", ?1 FROM t WHERE x = 'it''s @a'", "1")]
    [InlineData("SELECT a @ b, @k10, @k1", "k1,k10", "SELECT a @ b, ?2, ?1", "1,2")]
    public void Names_become_numbers_outside_quotes(string sql, string names, string expected, string indexes)
    {
        var (numbered, positions) = SqliteStatement.Number(sql, names.Split(','));
        Assert.Equal(expected, numbered);
        Assert.Equal(indexes, string.Join(",", positions));
    }

    [Fact]
    public void A_name_that_was_not_given_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SqliteStatement.Number("SELECT @a, @b", ["a"]));
        Assert.Contains("b", e.Message);
    }

    [Fact]
    public void A_statement_binds_by_position_and_runs_for_many_rows()
    {
        using var connection = InMemory("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER, note TEXT)");
        using (var insert = SqliteStatement.Prepare(connection, "INSERT INTO t (k, v, note) VALUES (@k, @v, @note)", ["v", "note", "k"]))
            for (int i = 0; i < 600; i++)
            {
                insert.BindAll([i, i % 2 == 0 ? null : "odd", "key" + i]);
                Assert.Equal(1, insert.Execute());
            }
        var parameters = new QueryParameters();
        var list = RowBatch.InList(parameters, "k", Enumerable.Range(0, 500).Select(i => "key" + i * 2).ToList());
        parameters.Add("min", 100);
        var rows = new List<object?[]>();
        using (var query = SqliteStatement.Prepare(connection, $"SELECT k, v, note FROM t WHERE v >= @min AND k IN ({list}) ORDER BY v", parameters.Names))
        {
            query.BindAll(parameters.Values);
            query.Query(rows.Add);
        }
        Assert.Equal(250, rows.Count); // even v from 100 to 598
        Assert.Equal(["key100", 100L, null], rows[0]);
        Assert.Equal(["key598", 598L, null], rows[^1]);
    }

    /// <summary>An open in-memory database with one table made by <paramref name="createTable"/>.</summary>
    private static SqliteConnection InMemory(string createTable)
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = createTable;
        create.ExecuteNonQuery();
        return connection;
    }

    [Fact]
    public void Text_binds_as_given_when_a_row_repeats_the_last_string_or_follows_a_null()
    {
        using var connection = InMemory("CREATE TABLE t (n INTEGER PRIMARY KEY, a TEXT, b TEXT)");
        string same = "owner@contoso.example", other = "Zoë 日本 " + new string('x', 400); // past the first buffer, not ASCII
        object?[][] rows =
        [
            [1, same, ""],     // "" is text, not NULL
            [2, same, same],   // the same instance again: kept from the last row, not bound anew
            [3, null, other],
            [4, same, other],  // after a NULL there: bound again
            [5, "", null],
        ];
        using (var insert = SqliteStatement.Prepare(connection, "INSERT INTO t (n, a, b) VALUES (@n, @a, @b)", ["n", "a", "b"]))
            foreach (var row in rows)
            {
                insert.BindAll(row);
                Assert.Equal(1, insert.Execute());
            }
        var stored = new List<object?[]>();
        using (var query = SqliteStatement.Prepare(connection, "SELECT n, a, b FROM t ORDER BY n", []))
            query.Query(stored.Add);
        Assert.Equal(rows.Select(r => new object?[] { Convert.ToInt64(r[0]), r[1], r[2] }), stored);
    }
}

/// <summary>A store connection waits on a busy database for what runs on its native handle too, not only for Microsoft.Data.Sqlite's commands.</summary>
public sealed class SqliteConnectionSettingsTests
{
    [Fact]
    public async Task A_connection_waits_as_long_as_its_commands_and_keeps_the_scan_settings()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mr-settings-{Guid.NewGuid():N}.db");
        try
        {
            await using var store = MailStore.OpenSqlite(path);
            await store.MigrateAsync();
            await using var connection = await store.OpenConnectionAsync();
            async Task<long> Pragma(string name)
            {
                await using var cmd = connection.CreateCommand();
                cmd.CommandText = $"PRAGMA {name}";
                return (long)(await cmd.ExecuteScalarAsync())!;
            }
            Assert.Equal(60_000, await Pragma("busy_timeout")); // the connection string's Default Timeout (60 s), in ms
            Assert.Equal(1, await Pragma("synchronous"));       // NORMAL
            Assert.Equal(-16384, await Pragma("cache_size"));
            Assert.Equal(8192, await Pragma("wal_autocheckpoint"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
        }
    }
}
