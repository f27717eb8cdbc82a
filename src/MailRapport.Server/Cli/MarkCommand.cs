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
            if (CliApp.AddressArgument(parse.GetValue(address)) is not { } normalized) return 2;
            await using var session = await CliApp.OpenMailboxAsync(parse.GetValue(db)!, parse.GetValue(mailbox), ct);
            if (session is null) return 2;
            var id = session.MailboxId;
            bool? automated = parse.GetValue(kind) switch { "automated" => true, "person" => false, _ => null };
            await session.Profiles.SetAutomatedOverrideAsync(id, normalized, automated, ct);
            await session.Profiles.RecomputeAsync(id, DateTimeOffset.UtcNow, ct);
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
