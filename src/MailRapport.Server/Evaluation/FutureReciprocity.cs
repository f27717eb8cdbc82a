using MailRapport.Core;

namespace MailRapport.Server.Evaluation;

/// <summary>
/// One correspondent known before a cutoff, with the baselines from the mail before it and the label from the mail
/// after it (enron_eval.py's build_dataset): positive when, inside (cutoff, cutoff + horizon], the owner wrote to
/// them and they wrote to the owner.
/// </summary>
/// <summary>One correspondent known before the cutoff. <see cref="TwoWayMonths"/>: calendar months (UTC) before the cutoff in
/// which mail went both ways, the most a reader can see of an exchange sustained over months.</summary>
public sealed record Candidate(string Address, bool Positive, int Sent, int Received, double TotalCount, double Recency, double TwoWay,
    double InteractionRank30, double InteractionRank60, int TwoWayMonths = 0);

public static class FutureReciprocity
{
    public const double OutgoingWeight = 2.0;
    private const double SecondsPerDay = 86400.0;

    /// <summary>Candidates ordered by address (ordinal), as the script ranks them.</summary>
    public static IReadOnlyList<Candidate> Build(IReadOnlyList<ReferenceMessage> messages, IReadOnlyCollection<string> owners, DateTime cutoff, int horizonDays)
    {
        var end = cutoff.AddDays(horizonDays);
        var features = new Dictionary<string, Features>(StringComparer.Ordinal);
        var wroteTo = new HashSet<string>(StringComparer.Ordinal);
        var wroteFrom = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            bool outgoing = owners.Contains(m.From);
            IEnumerable<string> contacts = outgoing ? m.Recipients.Where(a => !owners.Contains(a)) : [m.From];
            if (m.Timestamp < cutoff)
            {
                double ageDays = (cutoff - m.Timestamp).TotalSeconds / SecondsPerDay;
                double weight = outgoing ? OutgoingWeight : 1.0;
                double w30 = weight * Math.Pow(0.5, ageDays / 30.0), w60 = weight * Math.Pow(0.5, ageDays / 60.0);
                foreach (var a in contacts)
                {
                    if (!features.TryGetValue(a, out var f)) features[a] = f = new Features();
                    if (outgoing) f.Sent++; else f.Received++;
                    (outgoing ? f.SentMonths : f.ReceivedMonths).Add(MonthIndex.Of(m.Timestamp.Year, m.Timestamp.Month));
                    f.Rank30 += w30;
                    f.Rank60 += w60;
                    if (f.Last is null || m.Timestamp > f.Last) f.Last = m.Timestamp;
                }
            }
            else if (m.Timestamp > cutoff && m.Timestamp <= end)
                (outgoing ? wroteTo : wroteFrom).UnionWith(contacts);
        }
        return features.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
        {
            var f = kv.Value;
            return new Candidate(kv.Key, wroteTo.Contains(kv.Key) && wroteFrom.Contains(kv.Key), f.Sent, f.Received, f.Sent + f.Received,
                -(cutoff - f.Last!.Value).TotalSeconds / SecondsPerDay, Math.Min(f.Sent, f.Received), f.Rank30, f.Rank60,
                f.SentMonths.Count(f.ReceivedMonths.Contains));
        }).ToList();
    }

    private sealed class Features
    {
        public int Sent, Received;
        public DateTime? Last;
        public double Rank30, Rank60;
        public readonly HashSet<int> SentMonths = [], ReceivedMonths = [];
    }
}

public static class RocAuc
{
    /// <summary>ROC AUC as the Mann-Whitney U with average ranks for ties (enron_eval.py's roc_auc); null without both classes.</summary>
    public static double? Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        int positives = labels.Count(l => l), negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0) return null;
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray(); // stable, as Python's sorted
        double rankSumPositive = 0;
        int i = 0;
        while (i < order.Length)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            double averageRank = (i + j) / 2.0 + 1.0;
            int positivesInBlock = 0;
            for (int k = i; k <= j; k++) if (labels[order[k]]) positivesInBlock++;
            rankSumPositive += averageRank * positivesInBlock;
            i = j + 1;
        }
        double u = rankSumPositive - positives * (positives + 1) / 2.0;
        return u / ((double)positives * negatives);
    }
}
