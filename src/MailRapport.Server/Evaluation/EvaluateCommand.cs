using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Evaluation;

/// <summary>
/// <c>mailrapport evaluate [--maildir DIR] [--rubric DIR] [--format table|json]</c>: strength against the baselines on
/// future reciprocity, the share of each stage still two-way, and agreement with the rubric raters (docs/evaluation.md).
/// </summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var maildir = new Option<string>("--maildir")
        {
            Description = "Maildir root with one folder per mailbox (default: ../shared/data/enron/maildir beside the repository).",
            DefaultValueFactory = _ => BesideRepository("shared", "data", "enron", "maildir"),
        };
        var rubric = new Option<string>("--rubric")
        {
            Description = "Rubric folder: <set>/key.json and *rater-*.csv (default: ../shared/eval/rubric beside the repository).",
            DefaultValueFactory = _ => BesideRepository("shared", "eval", "rubric"),
        };
        var mailboxes = new Option<string[]>("--mailboxes") { Description = "Mailboxes to evaluate (default: those the rubric sets name).", AllowMultipleArgumentsPerToken = true };
        var cutoffs = new Option<DateTime[]>("--cutoffs")
        {
            Description = "Cutoffs (YYYY-MM-DD, 00:00 UTC) for every mailbox (default: each month start with at least --min-positives positives).",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result => result.Tokens.Select(t => DateTime.TryParseExact(t.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d) ? d : Fail(result, t.Value)).ToArray(),
        };
        var minPositives = new Option<int>("--min-positives") { Description = "A month start is a cutoff when its window holds this many positives.", DefaultValueFactory = _ => 5 };
        var horizon = new Option<int>("--horizon-days") { Description = "The window after the cutoff that decides the label.", DefaultValueFactory = _ => 180 };
        var db = new Option<string?>("--db") { Description = "Keep the imported mailboxes in this SQLite file (default: a temporary file)." };
        var format = new Option<string>("--format") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var feedbackDb = new Option<string?>("--feedback-db")
        {
            Description = "Instead: how often the stages in this store agree with its users' answers to \"Is this right?\" (the service's SQLite file).",
        };
        var command = new Command("evaluate", "Measure strength, stages and rubric agreement on real mailboxes against ../shared/eval.")
            { maildir, rubric, mailboxes, cutoffs, minPositives, horizon, db, format, feedbackDb };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(feedbackDb) is { } feedbackPath)
            {
                if (!File.Exists(feedbackPath)) { Console.Error.WriteLine($"{feedbackPath}: no store there (pass the service's SQLite file)."); return 2; }
                await using var host = await Hosting.CommandHost.OpenAsync(feedbackPath, ct);
                var agreement = await FeedbackAgreement.ComputeAsync(host.Services.GetRequiredService<ProfileStore>(), ct);
                Console.Write(parse.GetValue(format) == "json" ? JsonSerializer.Serialize(agreement, Json) + Environment.NewLine : FeedbackAgreement.ToTable(agreement));
                return 0;
            }
            var request = new EvaluationRequest
            {
                Maildir = parse.GetValue(maildir)!,
                RubricDir = parse.GetValue(rubric)!,
                Mailboxes = parse.GetValue(mailboxes) ?? [],
                Cutoffs = parse.GetValue(cutoffs) ?? [],
                MinPositives = parse.GetValue(minPositives),
                HorizonDays = parse.GetValue(horizon),
                DbPath = parse.GetValue(db),
            };
            if (!Directory.Exists(request.Maildir)) { Console.Error.WriteLine($"{request.Maildir}: no maildir there (pass --maildir)."); return 2; }
            EvaluationResult result;
            try { result = await EvaluationRunner.RunAsync(request, Console.Error, ct); }
            catch (InvalidDataException e) { Console.Error.WriteLine(e.Message); return 2; }
            Console.Write(parse.GetValue(format) == "json" ? ToJson(result) : ToTable(result));
            return 0;
        });
        return command;
    }

    private static DateTime Fail(System.CommandLine.Parsing.ArgumentResult result, string value)
    {
        result.AddError($"'{value}' is not a date (use YYYY-MM-DD).");
        return default;
    }

    /// <summary>
    /// ../&lt;parts&gt; beside the repository: the first folder up from the current one that has it beside it (a git worktree
    /// may sit a level deeper than the clone), else relative to the current folder.
    /// </summary>
    public static string BesideRepository(params string[] parts)
    {
        var cwd = Directory.GetCurrentDirectory();
        for (var dir = new DirectoryInfo(cwd); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine([dir.FullName, "..", .. parts]);
            if (Directory.Exists(candidate)) return Path.GetRelativePath(cwd, Path.GetFullPath(candidate));
        }
        return Path.Combine(["..", .. parts]);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string ToJson(EvaluationResult result) => JsonSerializer.Serialize(result, Json) + Environment.NewLine;

    private static readonly Dictionary<string, string> Headings = new()
    {
        ["strength"] = "strength", ["total_count"] = "total", ["recency"] = "recency", ["two_way"] = "two-way",
        ["interaction_rank_30d"] = "IR 30d", ["interaction_rank_60d"] = "IR 60d",
    };

    public static string ToTable(EvaluationResult r)
    {
        var sb = new StringBuilder();
        static string F(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
        static string D(DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        static string P(double v) => v.ToString("0.0%", CultureInfo.InvariantCulture);

        sb.AppendLine("Mailboxes (read as enron_eval.py reads them; the product's own import beside it)");
        foreach (var m in r.Mailboxes)
            sb.AppendLine($"  {m.Mailbox}: {m.Messages} messages {(m.First is { } f ? D(f) : "-")}..{(m.Last is { } l ? D(l) : "-")} from {m.Files} files " +
                          $"({m.Duplicates} duplicates, {m.Skipped} skipped); owners {string.Join(", ", m.Owners)}; " +
                          $"product: {m.ProductMessages} messages, owners {string.Join(", ", m.ProductOwners)}");
        foreach (var n in r.Notes) sb.AppendLine($"  note: {n}");
        sb.AppendLine();

        sb.AppendLine($"ROC AUC: positive = in the {r.HorizonDays} days after the cutoff the owner wrote to them and they wrote to the owner");
        sb.AppendLine("| mailbox | cutoff | candidates | positives | " + string.Join(" | ", EvaluationRunner.Rankings.Select(k => Headings[k])) + " | unscored (pos) |");
        sb.AppendLine("|---|---|---:|---:|" + string.Concat(EvaluationRunner.Rankings.Select(_ => "---:|")) + "---:|");
        foreach (var c in r.Cutoffs)
        {
            sb.AppendLine($"| {c.Mailbox} | {D(c.Cutoff)} | {c.Candidates} | {c.Positives} | " +
                string.Join(" | ", EvaluationRunner.Rankings.Select(k => F(c.Auc[k]))) + $" | {c.MissingCandidates} ({c.MissingPositives}) |");
        }
        sb.AppendLine($"| pooled | {r.Pooled.Cutoffs} cutoffs | {r.Pooled.Candidates} | {r.Pooled.Positives} | " +
            string.Join(" | ", EvaluationRunner.Rankings.Select(k => F(r.Pooled.Auc[k]))) + " | |");
        sb.AppendLine();

        sb.AppendLine($"Share still two-way in the next {r.HorizonDays} days, by stage at the cutoff, pooled over the cutoffs above");
        sb.AppendLine("| stage | ties | still two-way | share |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var s in r.Pooled.Stages) sb.AppendLine($"| {s.Stage} | {s.Ties} | {s.Positives} | {P(s.Rate)} |");
        var ceiling = r.Pooled.Ceiling;
        sb.AppendLine($"What the mail can support at these cutoffs (any model): {ceiling.ThreeEachWay} ties with 3 or more messages each way " +
                      $"({ceiling.FiveEachWay} with 5 or more); of those, {ceiling.ThreeEachWayTwoWayInTwoMonths} with mail both ways in 2 or more months, " +
                      $"{ceiling.ThreeEachWayTwoWayInThreeMonths} in 3 or more.");
        sb.AppendLine();

        if (r.Rubric is { } rubric)
        {
            sb.AppendLine("Rubric: product stage (contacts --include-automated) against the raters' majority");
            sb.AppendLine("| set | mailbox | as of | cards | raters' Fleiss kappa | agreement | Cohen kappa |");
            sb.AppendLine("|---|---|---|---:|---:|---:|---:|");
            foreach (var s in rubric.Sets)
                sb.AppendLine($"| {s.Set} | {s.Mailbox} | {D(s.Cutoff)} | {s.Agreement.Cards} | {F(s.Agreement.RaterFleissKappa)} | " +
                              $"{(s.Agreement.Accuracy is { } a ? P(a) : "n/a")} | {F(s.Agreement.CohenKappa)} |");
            var pooled = rubric.Pooled;
            sb.AppendLine($"| pooled | | | {pooled.Cards} | {F(pooled.RaterFleissKappa)} | {(pooled.Accuracy is { } pa ? P(pa) : "n/a")} | {F(pooled.CohenKappa)} |");
            sb.AppendLine();
            foreach (var (name, agreement) in rubric.Sets.Select(s => (s.Set, s.Agreement)).Append(("pooled", pooled)))
                AppendConfusion(sb, name, agreement);
            sb.AppendLine("Cards where they differ (majority -> product; read them in <set>/cards.md)");
            foreach (var s in rubric.Sets.Where(s => s.Disagreements.Count > 0))
                sb.AppendLine($"  {s.Set}: " + string.Join(", ", s.Disagreements.Select(d => $"{d.CardId} {d.Majority}->{d.Product}")));
        }
        return sb.ToString();
    }

    private static void AppendConfusion(StringBuilder sb, string name, Agreement a)
    {
        var products = RubricAgreement.Labels.Concat(a.Confusion.Select(c => c.Product)).Distinct().ToList();
        var majorities = RubricAgreement.Labels.Concat(a.Confusion.Select(c => c.Majority)).Distinct().ToList();
        sb.AppendLine($"Confusion, {name} (rows: raters' majority, columns: product)");
        sb.AppendLine("| majority \\ product | " + string.Join(" | ", products) + " | total |");
        sb.AppendLine("|---|" + string.Concat(products.Select(_ => "---:|")) + "---:|");
        foreach (var m in majorities)
        {
            var counts = products.Select(p => a.Confusion.FirstOrDefault(c => c.Majority == m && c.Product == p)?.Count ?? 0).ToList();
            sb.AppendLine($"| {m} | " + string.Join(" | ", counts) + $" | {counts.Sum()} |");
        }
        sb.AppendLine();
    }
}
