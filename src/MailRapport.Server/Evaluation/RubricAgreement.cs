using System.Text;
using System.Text.Json;

namespace MailRapport.Server.Evaluation;

/// <summary>One rubric set (a folder with key.json): whose mailbox, as of when, and which card is which address.</summary>
public sealed record RubricSet(string Name, string Maildir, DateTime Cutoff, IReadOnlyList<(string CardId, string Address)> Cards);

/// <summary>One card: the raters' labels (in rater-file order) and the product's stage for its address.</summary>
public sealed record RatedCard(string Set, string CardId, string Address, IReadOnlyList<string> Ratings, string Product);

/// <summary>Agreement of the product with the raters' majority over some cards.</summary>
public sealed record Agreement(string Name, int Cards, double? RaterFleissKappa, double? Accuracy, double? CohenKappa,
    IReadOnlyDictionary<string, int> Majority, IReadOnlyDictionary<string, int> Product, IReadOnlyList<ConfusionCell> Confusion);

public sealed record ConfusionCell(string Majority, string Product, int Count);

/// <summary>
/// ../shared/eval/rubric/agree.py in C#: the raters' majority per card (first-listed label wins a tie, rater files in
/// name order), cards with fewer than two ratings left out, the product's stage lower-cased as `contacts --format json`
/// prints it (every stage the product names, automated senders included; "(missing)" when it does not list the
/// address), and Cohen's kappa whose chance agreement counts only contact, rapport and relationship.
/// </summary>
public static class RubricAgreement
{
    public const string Missing = "(missing)";
    public static readonly string[] Labels = ["contact", "rapport", "relationship"];

    /// <summary>Every <c>*/key.json</c> under the rubric folder, in name order.</summary>
    public static IReadOnlyList<RubricSet> LoadSets(string rubricDir)
    {
        var sets = new List<RubricSet>();
        foreach (var dir in Directory.GetDirectories(rubricDir).Where(d => !System.IO.Path.GetFileName(d).StartsWith('.'))
                     .OrderBy(d => System.IO.Path.GetFileName(d) + "/", StringComparer.Ordinal)) // glob's sorted paths
        {
            var keyFile = System.IO.Path.Combine(dir, "key.json");
            if (!File.Exists(keyFile)) continue;
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(keyFile));
                var root = doc.RootElement;
                var cards = root.GetProperty("key").EnumerateObject().Select(p => (p.Name, p.Value.GetString()!)).ToList();
                var cutoff = DateTime.SpecifyKind(DateTime.ParseExact(root.GetProperty("cutoff").GetString()!, "yyyy-MM-dd",
                    System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);
                sets.Add(new RubricSet(System.IO.Path.GetFileName(dir), root.GetProperty("maildir").GetString()!, cutoff, cards));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{keyFile}: not a rubric key (maildir, cutoff, key): {e.Message}", e);
            }
        }
        return sets;
    }

    /// <summary>Card id to labels, lower-cased, from every <c>*rater-*.csv</c> in name order.</summary>
    public static IReadOnlyDictionary<string, List<string>> LoadRatings(string ratingsDir)
    {
        var ratings = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var files = Directory.GetFiles(ratingsDir).Where(f => IsRaterFile(System.IO.Path.GetFileName(f))).Order(StringComparer.Ordinal);
        foreach (var file in files)
            foreach (var row in ReadCsv(file))
                if (row.Count >= 2)
                {
                    var id = PythonText.Strip(row[0]);
                    if (!ratings.TryGetValue(id, out var list)) ratings[id] = list = [];
                    list.Add(PythonText.Lower(PythonText.Strip(row[1])));
                }
        return ratings;
    }

    /// <summary>glob "*rater-*.csv": not hidden, contains "rater-", ends ".csv".</summary>
    private static bool IsRaterFile(string name) =>
        !name.StartsWith('.') && name.EndsWith(".csv", StringComparison.Ordinal) && name[..^4].Contains("rater-", StringComparison.Ordinal);

    /// <summary>Python's csv.reader with the default dialect (quotes doubled inside quoted fields).</summary>
    private static IEnumerable<List<string>> ReadCsv(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            var row = new List<string>();
            if (line.Length == 0) { yield return row; continue; }
            var field = new StringBuilder();
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                    else if (c == '"') quoted = false;
                    else field.Append(c);
                }
                else if (c == '"' && field.Length == 0) quoted = true;
                else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
                else field.Append(c);
            }
            row.Add(field.ToString());
            yield return row;
        }
    }

    /// <summary>Counter(ratings).most_common(1): the highest count, the first-listed label among equals.</summary>
    public static string MajorityOf(IReadOnlyList<string> ratings)
    {
        var counts = new List<(string Label, int Count)>();
        foreach (var r in ratings)
        {
            int i = counts.FindIndex(c => c.Label == r);
            if (i < 0) counts.Add((r, 1)); else counts[i] = (r, counts[i].Count + 1);
        }
        var best = counts[0];
        foreach (var c in counts) if (c.Count > best.Count) best = c;
        return best.Label;
    }

    public static Agreement Compare(string name, IEnumerable<RatedCard> cards)
    {
        var rated = cards.Where(c => c.Ratings.Count >= 2).ToList();
        var majority = rated.Select(c => MajorityOf(c.Ratings)).ToList();
        var product = rated.Select(c => c.Product).ToList();
        var (kappa, accuracy) = rated.Count == 0 ? (null, null) : Cohen(majority, product);
        var confusion = majority.Zip(product).GroupBy(p => p).Select(g => new ConfusionCell(g.Key.First, g.Key.Second, g.Count()))
            .OrderBy(c => c.Majority, StringComparer.Ordinal).ThenBy(c => c.Product, StringComparer.Ordinal).ToList();
        return new Agreement(name, rated.Count, rated.Count == 0 ? null : Fleiss(rated.Select(c => c.Ratings).ToList()), accuracy, kappa,
            Tally(majority), Tally(product), confusion);
    }

    private static Dictionary<string, int> Tally(IEnumerable<string> labels)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal); // insertion order, as Python's Counter prints
        foreach (var l in labels) result[l] = result.GetValueOrDefault(l) + 1;
        return result;
    }

    /// <summary>agree.py's cohen: observed agreement over every card; chance agreement over the three stage labels only.</summary>
    public static (double? Kappa, double? Accuracy) Cohen(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        int n = a.Count;
        double po = (double)a.Zip(b).Count(p => p.First == p.Second) / n;
        double pe = (double)Labels.Sum(k => a.Count(x => x == k) * b.Count(x => x == k)) / n / n;
        return (pe < 1 ? (po - pe) / (1 - pe) : 1.0, po);
    }

    /// <summary>agree.py's fleiss, with the number of raters taken from the first card.</summary>
    public static double Fleiss(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        int n = rows[0].Count, cards = rows.Count;
        var p = Labels.Select(k => (double)rows.Sum(r => r.Count(x => x == k)) / (cards * n)).ToList();
        var agreement = rows.Select(r => (double)(r.GroupBy(x => x).Sum(g => g.Count() * g.Count()) - n) / (n * (n - 1))).ToList();
        double pBar = agreement.Sum() / cards, pe = p.Sum(x => x * x);
        return pe < 1 ? (pBar - pe) / (1 - pe) : 1.0;
    }
}
