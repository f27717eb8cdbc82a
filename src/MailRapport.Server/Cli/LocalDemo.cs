using MailRapport.Core;
using MailRapport.Server.Sample;

namespace MailRapport.Server.Cli;

/// <summary>The embedded default: the sample mailbox in a local SQLite store (built on first run), contacts by stage.</summary>
public static class LocalDemo
{
    public static async Task<int> RunAsync(CancellationToken ct)
    {
        var (store, profiles) = await CliApp.OpenAsync(CommonOptions.DefaultDbPath, ct);
        await using var _ = store;
        var now = DateTimeOffset.UtcNow;
        if (await store.GetMailboxAsync(SampleMailboxLoader.MailboxId, ct) is null)
        {
            Console.WriteLine("First run: building the sample mailbox into " + Path.GetFullPath(CommonOptions.DefaultDbPath));
            await new SampleMailboxLoader(store, profiles).LoadAsync(7, SampleMailboxLoader.DefaultEnd(TimeProvider.System), now, ct);
        }
        var list = (await profiles.ComputeAsync(SampleMailboxLoader.MailboxId, now, ct)).ToList();
        ContactsCommand.WriteTable(list.Where(p => !p.Flags.HasFlag(ContactFlags.Automated)).ToList());
        Console.WriteLine($"{list.Count(p => p.Flags.HasFlag(ContactFlags.Automated))} automated senders kept out (`mailrapport contacts --include-automated`).");
        return 0;
    }
}
