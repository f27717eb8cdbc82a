using System.Diagnostics;
using MailRapport.Core;
using MailRapport.FakeGraph;
using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;

/// <summary>
/// `-- store-only`: the store's share of a full scan, apart: the same 50,000 mapped messages committed page by page
/// as the scan commits them (sync map + interactions), then the interactions alone.
/// </summary>
internal static class StoreOnly
{
    public static async Task RunAsync(int messageCount, int pageSize, DateTimeOffset now, string dir)
    {
        var (messages, _) = SyntheticMailbox.Generate(messageCount, 0, now, seed: 11);
        var pages = messages.Select((m, i) => ("id" + i, (MessageInteraction?)m)).Chunk(pageSize).ToList();
        foreach (var withSync in new[] { true, false })
        {
            await using var store = MailStore.OpenSqlite(Path.Combine(dir, $"store-{withSync}.db"));
            await store.MigrateAsync();
            var sync = new GraphSyncStore(store, TimeProvider.System);
            var interactions = new InteractionStore(store);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long allocated = GC.GetTotalAllocatedBytes();
            var clock = Stopwatch.StartNew();
            var state = GraphSyncState.Fresh("folder:bench");
            foreach (var page in pages)
            {
                if (withSync)
                    await sync.CommitPageAsync(SyntheticMailbox.Owner, GraphItemKind.Message, state with { NextLink = "next" },
                        new GraphPageChanges<MessageInteraction>(page, []), default);
                else
                    await interactions.UpsertMessagesAsync(SyntheticMailbox.Owner, page.Select(p => p.Item2!), default);
            }
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine($"{(withSync ? "sync map + interactions" : "interactions only"),-24}: {messages.Count} messages in {pages.Count} pages, " +
                              $"{clock.Elapsed.TotalSeconds:0.00} s wall, {used.TotalSeconds:0.00} s CPU, {(GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / messages.Count:0.0} KB per message");
        }
    }
}
