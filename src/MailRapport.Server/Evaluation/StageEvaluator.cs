using MailRapport.Core;

namespace MailRapport.Server.Evaluation;

/// <summary>One correspondent at one cutoff: the model's view, the baselines, and what happened next.</summary>
public sealed record EvaluationRow(string Mailbox, DateTimeOffset Cutoff, string Address, Stage Stage, double Strength,
    double TotalMessages, double Recency, double TwoWay, double DecayedRank, bool TwoWayNext);

/// <summary>
/// Checks the stage model against the future: as of a cutoff, rank every correspondent by the model's strength and by
/// simple baselines, and compare with whether both sides wrote to each other in the following window.
/// </summary>
public sealed class StageEvaluator(RelationshipModel model)
{
    /// <summary>The "what happened next" window.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(180);
    /// <summary>A cutoff counts only when its window holds at least this many positives.</summary>
    public int MinPositives { get; init; } = 5;
    /// <summary>Half-life of the decayed-rank baseline.</summary>
    public double DecayHalfLifeDays { get; init; } = 60;

    /// <summary>Month starts (UTC) between the first and last interaction whose following window holds enough positives.</summary>
    public IReadOnlyList<DateTimeOffset> Cutoffs(IReadOnlyList<Interaction> history, IReadOnlyCollection<string> owners)
    {
        if (history.Count == 0) return [];
        var first = history[0].Timestamp.UtcDateTime;
        var last = history[^1].Timestamp;
        var result = new List<DateTimeOffset>();
        for (var m = new DateTimeOffset(first.Year, first.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1); m < last; m = m.AddMonths(1))
        {
            var before = Correspondents(history, owners, DateTimeOffset.MinValue, m);
            var after = TwoWayIn(history, owners, m, m + Horizon);
            if (before.Count(a => after.Contains(a)) >= MinPositives) result.Add(m);
        }
        return result;
    }

    public IReadOnlyList<EvaluationRow> Evaluate(string mailbox, IReadOnlyList<Interaction> history, IReadOnlyCollection<string> owners, DateTimeOffset cutoff)
    {
        var ownerSet = owners.ToHashSet(StringComparer.Ordinal);
        var profiles = model.Compute(owners, history.TakeWhile(i => i.Timestamp < cutoff), cutoff)
            .Where(p => !p.Flags.HasFlag(ContactFlags.Automated))
            .ToDictionary(p => p.Address, StringComparer.Ordinal);
        var next = TwoWayIn(history, ownerSet, cutoff, cutoff + Horizon);

        var stats = new Dictionary<string, Baseline>(StringComparer.Ordinal);
        Baseline Of(string a) => stats.TryGetValue(a, out var b) ? b : stats[a] = new Baseline();
        foreach (var i in history)
        {
            if (i.Timestamp >= cutoff) break;
            double decay = Math.Pow(0.5, (cutoff - i.Timestamp).TotalDays / DecayHalfLifeDays);
            if (i.Message is { } m)
            {
                bool outgoing = m.Direction == Direction.Outgoing;
                foreach (var c in m.Counterparts)
                {
                    if (!outgoing && c.Role != RecipientRole.From) continue; // co-recipients are not correspondence with the owner
                    var b = Of(c.Address);
                    if (outgoing) b.Sent++; else b.Received++;
                    b.Last = i.Timestamp;
                    b.Decayed += (outgoing ? 2 : 1) * decay;
                }
            }
            else if (i.Meeting is { } g && !g.IsCancelled)
            {
                foreach (var a in g.Attendees.Select(a => a.Address).Append(g.Organizer).Where(a => !ownerSet.Contains(a)).Distinct())
                {
                    var b = Of(a);
                    b.Last = i.Timestamp;
                    b.Decayed += decay;
                }
            }
        }
        var rows = new List<EvaluationRow>(profiles.Count);
        foreach (var (address, p) in profiles)
        {
            var b = stats.GetValueOrDefault(address) ?? new Baseline();
            rows.Add(new EvaluationRow(mailbox, cutoff, address, p.Stage, p.Strength,
                b.Sent + b.Received,
                b.Last is { } last ? -(cutoff - last).TotalDays : double.MinValue,
                Math.Min(b.Sent, b.Received),
                b.Decayed,
                next.Contains(address)));
        }
        return rows.OrderBy(r => r.Address, StringComparer.Ordinal).ToList();
    }

    private sealed class Baseline
    {
        public int Sent, Received;
        public DateTimeOffset? Last;
        public double Decayed;
    }

    /// <summary>Addresses the owner wrote to and who wrote to the owner, both inside [from, to).</summary>
    internal static HashSet<string> TwoWayIn(IReadOnlyList<Interaction> history, IReadOnlyCollection<string> owners, DateTimeOffset from, DateTimeOffset to)
    {
        var wroteTo = new HashSet<string>(StringComparer.Ordinal);
        var wroteFrom = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in history)
        {
            if (i.Timestamp < from) continue;
            if (i.Timestamp >= to) break;
            if (i.Message is not { } m) continue;
            if (m.Direction == Direction.Outgoing) foreach (var c in m.Counterparts) wroteTo.Add(c.Address);
            else if (!owners.Contains(m.From)) wroteFrom.Add(m.From);
        }
        wroteTo.IntersectWith(wroteFrom);
        return wroteTo;
    }

    private static HashSet<string> Correspondents(IReadOnlyList<Interaction> history, IReadOnlyCollection<string> owners, DateTimeOffset from, DateTimeOffset to)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in history)
        {
            if (i.Timestamp < from) continue;
            if (i.Timestamp >= to) break;
            if (i.Message is { } m)
            {
                if (m.Direction == Direction.Outgoing) foreach (var c in m.Counterparts) result.Add(c.Address);
                else result.Add(m.From);
            }
        }
        return result;
    }

    /// <summary>ROC AUC by the rank-sum (Mann-Whitney) formula, ties counted half; null without both classes.</summary>
    public static double? Auc(IEnumerable<(double Score, bool Positive)> items)
    {
        var list = items.OrderBy(x => x.Score).ToList();
        long pos = list.Count(x => x.Positive), neg = list.Count - pos;
        if (pos == 0 || neg == 0) return null;
        double rankSum = 0;
        int i = 0;
        while (i < list.Count)
        {
            int j = i;
            while (j + 1 < list.Count && list[j + 1].Score == list[i].Score) j++;
            double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) if (list[k].Positive) rankSum += averageRank;
            i = j + 1;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / (pos * (double)neg);
    }
}
