using MailRapport.Server.Storage;
using Npgsql;

namespace MailRapport.Server.Tests.Infrastructure;

/// <summary>
/// Throwaway stores for tests: a SQLite file in a temp folder, or a fresh database on the PostgreSQL server that
/// tests/run.sh starts (MAILRAPPORT_TEST_POSTGRES). Dispose drops it.
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    private readonly Func<Task> _cleanup;

    private TestStore(MailStore store, StoreOptions options, Func<Task> cleanup)
    {
        Store = store;
        Options = options;
        _cleanup = cleanup;
    }

    public MailStore Store { get; }
    public StoreOptions Options { get; }

    public static Task<TestStore> CreateAsync(StoreProvider provider) =>
        provider == StoreProvider.Postgres ? PostgresAsync() : SqliteAsync();

    public static async Task<TestStore> SqliteAsync()
    {
        var dir = Directory.CreateTempSubdirectory("mailrapport-test-");
        var options = new StoreOptions { Provider = StoreProvider.Sqlite, Path = Path.Combine(dir.FullName, "test.db") };
        var store = MailStore.Open(options);
        await store.MigrateAsync();
        return new TestStore(store, options, () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { dir.Delete(recursive: true); } catch (IOException) { }
            return Task.CompletedTask;
        });
    }

    public static async Task<TestStore> PostgresAsync()
    {
        var server = PostgresServer.ConnectionString ?? throw new InvalidOperationException(PostgresServer.MissingMessage);
        var name = "mr_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var options = new StoreOptions
        {
            Provider = StoreProvider.Postgres,
            ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString(),
        };
        var store = MailStore.Open(options);
        await store.MigrateAsync();
        return new TestStore(store, options, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await _cleanup();
    }
}

public static class PostgresServer
{
    public static string? ConnectionString => Environment.GetEnvironmentVariable("MAILRAPPORT_TEST_POSTGRES") is { Length: > 0 } cs ? cs : null;

    public const string MissingMessage =
        "MAILRAPPORT_TEST_POSTGRES is not set: run the tests with ./tests/run.sh, which installs and starts PostgreSQL.";

    /// <summary>Under CI a missing server is a failure, not a skip.</summary>
    public static bool ShouldSkip => ConnectionString is null && Environment.GetEnvironmentVariable("CI") is not "true";
}

/// <summary>A theory that needs PostgreSQL: skipped with a clear message outside ./tests/run.sh, never skipped in CI.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresServer.ShouldSkip) Skip = PostgresServer.MissingMessage;
    }
}

public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.ShouldSkip) Skip = PostgresServer.MissingMessage;
    }
}
