using System.CommandLine;
using MailRapport.Core;

namespace MailRapport.Server.Cli;

/// <summary>The user's per-address override of automated-sender detection.</summary>
public static class MarkCommand
{
    public static Command Create()
    {
        var address = new Argument<string>("ADDRESS") { Description = "The correspondent's e-mail address." };
        var kind = new Argument<string>("AS") { Description = "automated, person, or auto (forget the override)." };
        kind.AcceptOnlyFromAmong("automated", "person", "auto");
        var db = CommonOptions.Db();
        var mailbox = CommonOptions.Mailbox();
        var command = new Command("mark", "Override automated-sender detection for one address.") { address, kind, db, mailbox };
        command.SetAction(async (parse, ct) =>
        {
            var normalized = EmailAddress.Normalize(parse.GetValue(address));
            if (normalized is null)
            {
                Console.Error.WriteLine($"'{parse.GetValue(address)}' is not an e-mail address.");
                return 2;
            }
            var (store, profiles) = await CliApp.OpenAsync(parse.GetValue(db)!, ct);
            await using var _ = store;
            var id = await CliApp.ResolveMailboxAsync(store, parse.GetValue(mailbox), Console.Error, ct);
            if (id is null) return 2;
            bool? automated = parse.GetValue(kind) switch { "automated" => true, "person" => false, _ => null };
            await store.SetAutomatedOverrideAsync(id, normalized, automated, ct);
            await profiles.RecomputeAsync(id, DateTimeOffset.UtcNow, ct);
            Console.WriteLine(automated switch
            {
                true => $"{normalized} is now treated as automated in '{id}'.",
                false => $"{normalized} is now treated as a person in '{id}'.",
                null => $"{normalized} is detected automatically again in '{id}'.",
            });
            return 0;
        });
        return command;
    }
}
