using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MailRapport.Core;
using MailRapport.Server.Api;
using MailRapport.Server.Storage;
using Spectre.Console;

namespace MailRapport.Server.Cli;

public static class ContactsCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var mailbox = CommonOptions.Mailbox();
        var asOf = CommonOptions.AsOf();
        var stage = new Option<Stage?>("--stage") { Description = "Only this stage: contact, rapport or relationship." };
        var format = new Option<string>("--format") { Description = "table, json or csv.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        var automated = new Option<bool>("--include-automated") { Description = "Also list automated senders (kept out by default)." };
        var command = new Command("contacts", "List correspondents with their stage, scores and evidence.") { db, mailbox, stage, asOf, format, automated };
        command.SetAction(async (parse, ct) =>
        {
            await using var session = await CliApp.OpenMailboxAsync(parse.GetValue(db)!, parse.GetValue(mailbox), ct);
            if (session is null) return 2;
            var list = (await session.Profiles.ComputeAsync(session.MailboxId, parse.GetValue(asOf) ?? DateTimeOffset.UtcNow, ct))
                .Where(p => parse.GetValue(automated) || !p.Flags.HasFlag(ContactFlags.Automated))
                .Where(p => parse.GetValue(stage) is not { } s || (p.Stage == s && !p.Flags.HasFlag(ContactFlags.Automated)))
                .ToList();
            switch (parse.GetValue(format))
            {
                case "json": Console.WriteLine(ContactJson.Serialize(list)); break;
                case "csv": Console.Write(ToCsv(list)); break;
                default: WriteTable(list); break;
            }
            return 0;
        });
        return command;
    }

    public static void WriteTable(IReadOnlyList<ContactProfile> list)
    {
        var console = ContactsConsole.Create();
        foreach (var group in list.GroupBy(p => p.Flags.HasFlag(ContactFlags.Automated) ? "Automated (kept out)" : p.Stage.ToString())
                     .OrderByDescending(g => g.Key == "Automated (kept out)" ? -1 : (int)g.First().Stage))
        {
            var table = new Table().Title($"[bold]{group.Key}[/] ({group.Count()})").Border(TableBorder.Simple);
            table.AddColumns("Strength", "Harmony", "Depth", "Nurture", "Contact", "Sent/Recv", "Threads", "Meetings", "Last contact", "Flags");
            foreach (var p in group)
            {
                var e = p.Evidence;
                table.AddRow(
                    Math.Round(p.Strength).ToString(CultureInfo.InvariantCulture), p.Harmony.ToString(CultureInfo.InvariantCulture), p.Depth.ToString(CultureInfo.InvariantCulture),
                    p.Nurture.ToString(),
                    Markup.Escape(p.DisplayName is null ? p.Address : $"{p.DisplayName} <{p.Address}>"),
                    $"{e.MessagesSent}/{e.MessagesReceived}", e.SharedThreads.ToString(CultureInfo.InvariantCulture),
                    $"{e.SharedMeetings} ({e.MeetingHours.ToString("0.#", CultureInfo.InvariantCulture)} h)",
                    e.LastInteraction?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-",
                    FlagsText(p.Flags));
            }
            console.Write(table);
        }
        var counts = list.Where(p => !p.Flags.HasFlag(ContactFlags.Automated)).GroupBy(p => p.Stage).ToDictionary(g => g.Key, g => g.Count());
        console.WriteLine($"{counts.GetValueOrDefault(Stage.Relationship)} relationships, {counts.GetValueOrDefault(Stage.Rapport)} rapport, " +
            $"{counts.GetValueOrDefault(Stage.Contact)} contacts, {list.Count(p => p.Flags.HasFlag(ContactFlags.Automated))} automated shown.");
    }

    public static string FlagsText(ContactFlags flags) => string.Join(" ",
        Enum.GetValues<ContactFlags>().Where(f => f != ContactFlags.None && flags.HasFlag(f)).Select(f => f switch
        {
            ContactFlags.OneWayInbound => "one-way-in",
            ContactFlags.OneWayOutbound => "one-way-out",
            ContactFlags.Automated => "automated",
            ContactFlags.MeetingsOnly => "meetings-only",
            _ => f.ToString(),
        }));

    public static string ToCsv(IEnumerable<ContactProfile> list)
    {
        var sb = new StringBuilder("address,displayName,stage,nurture,flags,harmony,depth,strength,messagesSent,messagesReceived,sharedThreads,sharedMeetings,meetingHours,firstInteraction,lastInteraction,medianReplyHoursMine,medianReplyHoursTheirs,nextStep\n");
        static string Q(string? s) => s is null ? "" : s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        static string N(double? d) => d?.ToString(CultureInfo.InvariantCulture) ?? "";
        static string D(DateTimeOffset? d) => d?.ToString("O", CultureInfo.InvariantCulture) ?? "";
        foreach (var p in list)
        {
            var e = p.Evidence;
            sb.Append(string.Join(',', Q(p.Address), Q(p.DisplayName), p.Stage.ToString().ToLowerInvariant(), p.Nurture.ToString().ToLowerInvariant(),
                Q(FlagsText(p.Flags)), p.Harmony, p.Depth, p.Strength, e.MessagesSent, e.MessagesReceived, e.SharedThreads, e.SharedMeetings,
                N(e.MeetingHours), D(e.FirstInteraction), D(e.LastInteraction), N(e.MedianReplyHoursMine), N(e.MedianReplyHoursTheirs), Q(p.NextStep)));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}

/// <summary>A Spectre console that stays wide when output is redirected (so tables do not wrap in files and CI logs).</summary>
internal static class ContactsConsole
{
    public static IAnsiConsole Create() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Out) ,
        Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        Interactive = InteractionSupport.No,
    }).Also(c => { if (Console.IsOutputRedirected) c.Profile.Width = 200; });

    private static T Also<T>(this T value, Action<T> action) { action(value); return value; }
}
