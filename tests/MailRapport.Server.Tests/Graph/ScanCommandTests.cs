using MailRapport.FakeGraph;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Graph;

/// <summary>`mailrapport scan` as a user runs it, against the fake Graph server on loopback (no credentials).</summary>
public sealed class ScanCommandTests
{
    [Fact]
    public async Task Scan_command_fills_the_store_and_a_second_run_is_incremental()
    {
        var (messages, meetings) = SyntheticMailbox.Generate(60, 8, DateTimeOffset.UtcNow.Date, seed: 3);
        var box = SyntheticMailbox.Build(SyntheticMailbox.Owner, messages, meetings);
        await using var server = await FakeGraphServer.StartAsync(box);
        var dir = Directory.CreateTempSubdirectory("mr-scan-cli-");
        try
        {
            var db = Path.Combine(dir.FullName, "scan.db");
            var first = await CliRunner.RunAsync(dir.FullName, "scan", "--mailbox", SyntheticMailbox.Owner, "--db", db, "--graph-base-url", server.BaseUrl);
            Assert.True(first.ExitCode == 0, first.Error + first.Out);
            // 60 distinct messages; a few are filed in two folders, so more upserts than messages.
            Assert.Contains("messages and 8 meetings stored", first.Out.ReplaceLineEndings(" "), StringComparison.Ordinal);

            server.ResetRequestLog();
            // The UPN typed in another case is the same mailbox, keyed as the service keys it (MailboxId).
            var second = await CliRunner.RunAsync(dir.FullName, "scan", "--mailbox", " " + SyntheticMailbox.Owner.ToUpperInvariant(), "--db", db, "--graph-base-url", server.BaseUrl);
            Assert.True(second.ExitCode == 0, second.Error + second.Out);
            Assert.Contains(": 0 messages and 0 meetings stored", second.Out.ReplaceLineEndings(" "), StringComparison.Ordinal);
            Assert.All(server.Requests.Where(r => r.Path.Contains("/delta", StringComparison.Ordinal)),
                r => Assert.Contains("$deltatoken=", Uri.UnescapeDataString(r.Query), StringComparison.Ordinal));

            await using var store = MailStore.OpenSqlite(db);
            Assert.Equal(60, (await store.CountInteractionsAsync(SyntheticMailbox.Owner)).Messages);
            Assert.Equal([SyntheticMailbox.Owner], (await new InteractionStore(store).ListMailboxesAsync()).Select(m => m.MailboxId));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Scan_command_refuses_the_cloud_without_credentials_and_says_what_to_set()
    {
        var dir = Directory.CreateTempSubdirectory("mr-scan-cli-");
        try
        {
            var result = await CliRunner.RunAsync(dir.FullName, "scan", "--mailbox", "a@contoso.com", "--db", Path.Combine(dir.FullName, "x.db"));
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("Graph__ClientId", result.Error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir.FullName, "x.db")), "nothing should be created before the configuration is valid");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
