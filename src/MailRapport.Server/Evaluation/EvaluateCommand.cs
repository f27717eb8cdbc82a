using System.CommandLine;
using System.Globalization;
using System.Text;
using MailRapport.Core;
using MailRapport.Server.Cli;
using MailRapport.Server.Import;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Evaluation;

/// <summary>
/// <c>mailrapport evaluate [ENRON_MAILDIR] [--users a,b] [--db PATH] [--out FILE]</c>: imports the complete Enron mailboxes,
/// then scores the stage model's strength and stages against what happened in the following 180 days (docs/evaluation.md).
/// </summary>
public static class EvaluateCommand
{
    public static readonly string[] CompleteMailboxes = ["fossum-d", "dean-c", "badeer-r"];

    /// <summary>The cutoffs issue 6 names for each mailbox's active period; reported on their own next to the month starts.</summary>
    public static readonly IReadOnlyDictionary<string, DateTimeOffset[]> NamedCutoffs = new Dictionary<string, DateTimeOffset[]>
    {
        ["fossum-d"] = [new(2000, 11, 15, 0, 0, 0, TimeSpan.Zero)],
        ["dean-c"] = [new(2001, 6, 1, 0, 0, 0, TimeSpan.Zero), new(2001, 9, 1, 0, 0, 0, TimeSpan.Zero)],
        ["badeer-r"] = [new(2000, 7, 15, 0, 0, 0, TimeSpan.Zero)],
    };

    public static Command Create()
    {
        var root = new Argument<string>("maildir")
        {
            Description = "The Enron maildir root (holding fossum-d, dean-c, badeer-r).",
            DefaultValueFactory = _ => Path.Combine("..", "shared", "data", "enron", "maildir"),
        };
        var users = new Option<string[]>("--users") { Description = "Mailboxes to evaluate (default: fossum-d dean-c badeer-r).", AllowMultipleArgumentsPerToken = true };
        var db = new Option<string>("--db") { Description = "SQLite file for the imported mailboxes.", DefaultValueFactory = _ => Path.Combine("artifacts", "evaluation.db") };
        var output = new Option<string?>("--out") { Description = "Also write the markdown report to this file." };
        var command = new Command("evaluate", "Measure stages and strength against what happened next on real mailboxes (Enron).") { root, users, db, output };
        command.SetAction(async (parse, ct) =>
        {
            var maildir = parse.GetValue(root)!;
            var names = parse.GetValue(users) is { Length: > 0 } u ? u : CompleteMailboxes;
            if (!Directory.Exists(maildir)) { Console.Error.WriteLine($"No maildir at {maildir}."); return 2; }
            var report = await RunAsync(maildir, names, parse.GetValue(db)!, ct);
            Console.Write(report);
            if (parse.GetValue(output) is { } file) await File.WriteAllTextAsync(file, report, ct);
            return 0;
        });
        return command;
    }

    public static async Task<string> RunAsync(string maildir, IReadOnlyList<string> users, string dbPath, CancellationToken ct)
    {
        await using var store = MailStore.OpenSqlite(dbPath);
        var importer = new MailImporter(store);
        var evaluator = new StageEvaluator(new RelationshipModel(new StageModelOptions()));
        var rows = new List<EvaluationRow>();
        var named = new List<EvaluationRow>();
        var notes = new List<string>();
        foreach (var user in users)
        {
            var path = Path.Combine(maildir, user);
            if (!Directory.Exists(path)) { notes.Add($"{user}: not found, skipped"); continue; }
            var import = await importer.ImportAsync(new ImportRequest { Path = path, MailboxId = user }, ct: ct);
            notes.Add($"{user}: {import.MessagesStored} messages, {import.MeetingsStored} meetings after dropping {import.Duplicates} duplicates; owners {string.Join(", ", import.Owners)}");
            var mailbox = (await store.GetMailboxAsync(user, ct))!;
            var history = new List<Interaction>();
            await foreach (var i in store.ReadInteractionsAsync(user, ct: ct)) history.Add(i);
            var monthStarts = evaluator.Cutoffs(history, mailbox.OwnerAddresses);
            foreach (var cutoff in monthStarts)
                rows.AddRange(evaluator.Evaluate(user, history, mailbox.OwnerAddresses, cutoff));
            foreach (var cutoff in NamedCutoffs.GetValueOrDefault(user) ?? [])
                if (!monthStarts.Contains(cutoff))
                    named.AddRange(evaluator.Evaluate(user, history, mailbox.OwnerAddresses, cutoff));
        }
        return Format(rows, named, notes, evaluator);
    }

    private static readonly (string Name, Func<EvaluationRow, double> Score)[] Scores =
    [
        ("strength", r => r.Strength),
        ("total messages", r => r.TotalMessages),
        ("recency", r => r.Recency),
        ("two-way count", r => r.TwoWay),
        ("decayed rank (out x2)", r => r.DecayedRank),
    ];

    public static string Format(IReadOnlyList<EvaluationRow> rows, IReadOnlyList<EvaluationRow> named, IReadOnlyList<string> notes, StageEvaluator evaluator)
    {
        var sb = new StringBuilder();
        string F(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "-";
        sb.AppendLine($"Positive: the owner and the correspondent both wrote to each other in the {evaluator.Horizon.TotalDays:0} days after the cutoff. " +
                      $"Cutoffs: month starts with at least {evaluator.MinPositives} positives. Automated correspondents excluded.");
        sb.AppendLine();
        foreach (var n in notes) sb.AppendLine($"- {n}");
        sb.AppendLine();
        sb.AppendLine("### ROC AUC");
        sb.AppendLine();
        sb.AppendLine("| mailbox | cutoff | ties | positives | " + string.Join(" | ", Scores.Select(s => s.Name)) + " |");
        sb.AppendLine("|---|---|---:|---:|" + string.Concat(Scores.Select(_ => "---:|")));
        void Line(string mailbox, string cutoff, IReadOnlyList<EvaluationRow> set) =>
            sb.AppendLine($"| {mailbox} | {cutoff} | {set.Count} | {set.Count(r => r.TwoWayNext)} | " +
                string.Join(" | ", Scores.Select(s => F(StageEvaluator.Auc(set.Select(r => (s.Score(r), r.TwoWayNext)))))) + " |");
        foreach (var byUser in rows.GroupBy(r => r.Mailbox))
        {
            foreach (var byCutoff in byUser.GroupBy(r => r.Cutoff).OrderBy(g => g.Key))
                Line(byUser.Key, byCutoff.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), byCutoff.ToList());
            Line($"**{byUser.Key}**", "all", byUser.ToList());
        }
        Line("**pooled**", "all", rows);
        foreach (var byCutoff in named.GroupBy(r => (r.Mailbox, r.Cutoff)).OrderBy(g => g.Key.Mailbox).ThenBy(g => g.Key.Cutoff))
            Line(byCutoff.Key.Mailbox, byCutoff.Key.Cutoff.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " (named in issue 6, not pooled)", byCutoff.ToList());
        sb.AppendLine();
        sb.AppendLine("### Share still two-way in the next 180 days, by stage at the cutoff");
        sb.AppendLine();
        sb.AppendLine("| mailbox | Contact | Rapport | Relationship |");
        sb.AppendLine("|---|---:|---:|---:|");
        string Share(IEnumerable<EvaluationRow> set, Stage stage)
        {
            var s = set.Where(r => r.Stage == stage).ToList();
            return s.Count == 0 ? "- (0)" : $"{(double)s.Count(r => r.TwoWayNext) / s.Count:0.0%} ({s.Count(r => r.TwoWayNext)}/{s.Count})";
        }
        foreach (var byUser in rows.GroupBy(r => r.Mailbox))
            sb.AppendLine($"| {byUser.Key} | {Share(byUser, Stage.Contact)} | {Share(byUser, Stage.Rapport)} | {Share(byUser, Stage.Relationship)} |");
        sb.AppendLine($"| **pooled** | {Share(rows, Stage.Contact)} | {Share(rows, Stage.Rapport)} | {Share(rows, Stage.Relationship)} |");
        return sb.ToString();
    }
}
