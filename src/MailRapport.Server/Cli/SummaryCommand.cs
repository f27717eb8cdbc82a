using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MailRapport.Core;
using MailRapport.Server.Api;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Cli;

public static class SummaryCommand
{
    public static Command Create()
    {
        var address = new Argument<string>("ADDRESS") { Description = "The correspondent's e-mail address." };
        var db = CommonOptions.Db();
        var mailbox = CommonOptions.Mailbox();
        var asOf = CommonOptions.AsOf();
        var format = new Option<string>("--format") { Description = "text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("summary", "The relationship summary for one correspondent, with a month-by-month timeline.") { address, db, mailbox, asOf, format };
        command.SetAction(async (parse, ct) =>
        {
            if (CliApp.AddressArgument(parse.GetValue(address)) is not { } normalized) return 2;
            await using var session = await CliApp.OpenMailboxAsync(parse.GetValue(db)!, parse.GetValue(mailbox), ct);
            if (session is null) return 2;
            var id = session.MailboxId;
            var when = parse.GetValue(asOf) ?? DateTimeOffset.UtcNow;
            var (profiles, coverage) = await session.Profiles.ComputeWithCoverageAsync(id, when, ct);
            var profile = profiles.FirstOrDefault(p => p.Address == normalized);
            if (profile is null)
            {
                Console.Error.WriteLine($"No interactions with {normalized} in mailbox '{id}' before {when:yyyy-MM-dd}.");
                return 1;
            }
            Console.Write(parse.GetValue(format) == "json"
                ? ContactJson.Serialize(profile) + "\n"
                : Render(profile, coverage));
            return 0;
        });
        return command;
    }

    public static string Render(ContactProfile p, MailboxCoverage? coverage = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var e = p.Evidence;
        var sb = new StringBuilder();
        sb.AppendLine(p.DisplayName is null ? p.Address : $"{p.DisplayName} <{p.Address}>");
        var stage = p.Flags.HasFlag(ContactFlags.Automated) ? "Automated (kept out of stages)" : $"{p.Stage} · {p.Nurture}";
        sb.AppendLine($"Stage: {stage}    strength {Math.Round(p.Strength)}, harmony {p.Harmony}, depth {p.Depth}");
        var flags = ContactsCommand.FlagsText(p.Flags);
        if (flags.Length > 0) sb.AppendLine($"Flags: {flags}");
        if (e.FirstInteraction is { } first && e.LastInteraction is { } last)
            sb.AppendLine($"Since {first:yyyy-MM-dd} ({Math.Round(e.SpanDays)} days, {e.ActiveMonths} active months); last contact {last:yyyy-MM-dd} " +
                $"({Math.Round(e.SilenceDays)} days ago{(e.UsualGapDays is { } g ? $", usually every {g.ToString("0.#", inv)} days" : "")})");
        sb.AppendLine($"Mail: {e.MessagesSent} sent, {e.MessagesReceived} received, {e.SharedThreads} shared threads; " +
            $"median reply: you {Hours(e.MedianReplyHoursMine)}, they {Hours(e.MedianReplyHoursTheirs)}");
        sb.AppendLine($"Meetings: {e.SharedMeetings} shared, {e.MeetingHours.ToString("0.#", inv)} h");
        if (p.Decision?.Window is { WholeHistory: false } w)
            sb.AppendLine(w.From is { } from
                ? $"Measured over: {from:yyyy-MM}..{w.To!.Value.AddMonths(-1):yyyy-MM} ({w.Months} months holding mail both ways): {w.MessagesSent} sent, {w.MessagesReceived} received"
                : "Measured over: no month holding mail both ways during this tie");
        if (coverage is not null) sb.AppendLine($"Mailbox: {coverage.Describe()}");
        sb.AppendLine("Why:");
        foreach (var reason in p.Reasons) sb.AppendLine("  - " + reason);
        sb.AppendLine("Next step: " + p.NextStep);
        var followUp = FollowUpLines(ContactMapping.ToResponse(p));
        if (followUp.Count > 0)
        {
            sb.AppendLine("Follow-up:");
            foreach (var line in followUp) sb.AppendLine("  - " + line);
        }
        if (p.Timeline.Count > 0)
        {
            var months = MonthRange(p.Timeline[0], p.AsOf);
            var byMonth = p.Timeline.ToDictionary(m => (m.Year, m.Month));
            var messages = months.Select(m => byMonth.TryGetValue(m, out var a) ? a.Sent + a.Received : 0).ToList();
            var meetings = months.Select(m => byMonth.TryGetValue(m, out var a) ? a.Meetings : 0).ToList();
            sb.AppendLine($"Timeline {months[0].Year}-{months[0].Month:00} .. {months[^1].Year}-{months[^1].Month:00} (one mark a month):");
            sb.AppendLine($"  messages {Sparkline(messages)}  (max {messages.Max()} a month)");
            sb.AppendLine($"  meetings {Sparkline(meetings)}  (max {meetings.Max()} a month)");
        }
        return sb.ToString();
    }

    /// <summary>
    /// What to do today, worded as the API words it and in the pane's order (card.js followUpLines): threads waiting on
    /// you and on them, the next contact by the tie's rhythm, reply-time drift theirs and yours. Only lines filled in.
    /// </summary>
    public static IReadOnlyList<string> FollowUpLines(ContactResponse c) =>
        new[] { c.WaitingOnYou.Summary, c.WaitingOnThem.Summary, c.NextContact.Summary, c.ReplyDrift.Theirs.Summary, c.ReplyDrift.Mine.Summary }
            .Where(line => !string.IsNullOrWhiteSpace(line)).Select(line => line!).ToList();

    private static string Hours(double? h) => h is { } v ? DurationText.Hours(v) : "n/a";

    private static List<(int Year, int Month)> MonthRange(MonthActivity first, DateTimeOffset asOf)
    {
        var list = new List<(int, int)>();
        int start = MonthIndex.Of(first.Year, first.Month), end = MonthIndex.Of(asOf);
        for (int m = start; m <= Math.Max(start, end) && list.Count < 600; m++) list.Add(MonthIndex.YearMonth(m));
        return list;
    }

    /// <summary>One block character per value, scaled to the maximum; zero is a space-like low dot.</summary>
    public static string Sparkline(IReadOnlyList<int> values)
    {
        const string blocks = "▁▂▃▄▅▆▇█";
        int max = values.Count == 0 ? 0 : values.Max();
        var sb = new StringBuilder(values.Count);
        foreach (var v in values)
            sb.Append(v == 0 ? '·' : blocks[max <= 1 ? blocks.Length - 1 : (int)Math.Round((v - 1) * (blocks.Length - 1) / (double)(max - 1))]);
        return sb.ToString();
    }
}
