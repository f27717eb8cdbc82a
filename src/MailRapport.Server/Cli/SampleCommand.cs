using System.CommandLine;
using MailRapport.Server.Sample;

namespace MailRapport.Server.Cli;

public static class SampleCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var seed = new Option<int>("--seed") { Description = "Seed of the generator: same seed, same mailbox.", DefaultValueFactory = _ => 7 };
        var command = new Command("sample", "Build the synthetic sample mailbox (about two years, a few hundred correspondents) into the store.") { db, seed };
        command.SetAction(async (parse, ct) =>
        {
            var (store, profiles) = await CliApp.OpenAsync(parse.GetValue(db)!, ct);
            await using var _ = store;
            var now = DateTimeOffset.UtcNow;
            var sample = await new SampleMailboxLoader(store, profiles, CliApp.Eraser(store))
                .LoadAsync(parse.GetValue(seed), SampleMailboxLoader.DefaultEnd(now), now, ct);
            Console.WriteLine($"Sample mailbox '{SampleMailboxLoader.MailboxId}' ({sample.OwnerAddress}): {sample.Messages.Count} messages, " +
                $"{sample.Meetings.Count} meetings, {sample.Personas.Count} correspondents, into {Path.GetFullPath(parse.GetValue(db)!)}.");
            return 0;
        });
        return command;
    }
}
