using System.Net;
using System.Text.Json;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using MailRapport.Server.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace MailRapport.Server.Tests.Storage;

/// <summary>
/// A store that cannot be used (marked read-only, truncated, not SQLite): the command line and the service say so
/// in one line naming the file, what is wrong and what to do, and exit non-zero; /health says it too.
/// Read-only is the file's mode (chmod 444), which the service checks itself: root would write through it.
/// </summary>
public sealed class UnusableStoreTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("mailrapport-unusable-").FullName;
    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private async Task<string> StoreAsync(string name)
    {
        var path = Path.Combine(directory, name);
        await using (var store = MailStore.OpenSqlite(path))
        {
            await store.MigrateAsync();
            await Support.Seed.MailboxAsync(store, "sample", Support.Seed.Profile("amara@northwind.example"));
        }
        SqliteConnection.ClearAllPools(); // closes the file, so the write-ahead log is folded into it
        Assert.False(File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0);
        return path;
    }

    private async Task<string> ReadOnlyStoreAsync()
    {
        var path = await StoreAsync("readonly.db");
        if (OperatingSystem.IsWindows()) File.SetAttributes(path, FileAttributes.ReadOnly);
        else File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead); // chmod 444
        return path;
    }

    private async Task<string> TruncatedStoreAsync()
    {
        var path = await StoreAsync("truncated.db");
        // Grow it first (many pages), then cut it in half, as an interrupted copy would.
        await using (var store = MailStore.OpenSqlite(path))
            await Support.Seed.MailboxAsync(store, "big", [.. Enumerable.Range(0, 400).Select(i => Support.Seed.Profile($"c{i}@example.com"))]);
        SqliteConnection.ClearAllPools();
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
            file.SetLength(file.Length / 2);
        return path;
    }

    private static void AssertOneLine(CliRunner.Result result, string path, string what, string todo)
    {
        Assert.NotEqual(0, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.Contains(path, line);
        Assert.Contains(what, line);
        Assert.Contains(todo, line);
        Assert.DoesNotContain("Exception", result.Error + result.Out);
    }

    [Fact]
    public async Task Cli_on_a_read_only_store_prints_one_line_and_fails_and_verbose_adds_the_trace()
    {
        var path = await ReadOnlyStoreAsync();
        AssertOneLine(await CliRunner.RunAsync(directory, "contacts", "--db", path), path, "is read-only", "chmod u+w");
        AssertOneLine(await CliRunner.RunAsync(directory, "mark", "amara@northwind.example", "automated", "--db", path), path, "is read-only", "chmod u+w");

        var verbose = await CliRunner.RunAsync(directory, "contacts", "--db", path, "--verbose");
        Assert.NotEqual(0, verbose.ExitCode);
        Assert.Contains(path, verbose.Error);
        Assert.Contains("   at ", verbose.Error);
    }

    [Fact]
    public async Task Cli_on_a_truncated_store_prints_one_line_and_fails()
    {
        var path = await TruncatedStoreAsync();
        AssertOneLine(await CliRunner.RunAsync(directory, "contacts", "--db", path), path, "is truncated", "restore it from a backup");
    }

    [Fact]
    public async Task Cli_on_a_file_that_is_not_sqlite_prints_one_line_and_fails()
    {
        var path = Path.Combine(directory, "notes.db");
        await File.WriteAllTextAsync(path, new string('x', 4096));
        AssertOneLine(await CliRunner.RunAsync(directory, "summary", "amara@northwind.example", "--db", path), path, "is not a SQLite database", "move it aside");
    }

    [Theory]
    [InlineData("readonly", "is read-only")]
    [InlineData("truncated", "is truncated")]
    public async Task Service_on_an_unusable_store_stops_with_one_line_naming_the_file(string kind, string what)
    {
        var path = kind == "readonly" ? await ReadOnlyStoreAsync() : await TruncatedStoreAsync();
        var result = await CliRunner.RunAsync(directory, "serve", $"--Store:Path={path}", "--Service:LocalUrl=http://127.0.0.1:0");
        AssertOneLine(result, path, what, kind == "readonly" ? "chmod u+w" : "restore it from a backup");
        Assert.DoesNotContain("Hosting failed to start", result.Out + result.Error);
    }

    [Fact]
    public async Task Health_reports_a_store_that_became_unusable_as_unhealthy_with_the_reason()
    {
        using var factory = new ServiceFactory(entra: false);
        var path = factory.Settings["Store:Path"]!;
        var client = factory.CreateClient();
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        await factory.Scanner.WaitForAsync(() => registry.GetAsync("sample").Result is { ScanRunning: false, ScanFinishedAt: not null });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        // Something overwrites the file under the running service.
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            file.Write("this is no database"u8);

        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var database = doc.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("Unhealthy", database.GetProperty("status").GetString());
        var reason = database.GetProperty("description").GetString()!;
        Assert.Contains(Path.GetFullPath(path), reason);
        Assert.Contains("is not a SQLite database", reason);
    }
}
