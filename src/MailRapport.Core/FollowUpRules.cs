using System.Globalization;

namespace MailRapport.Core;

/// <summary>
/// Waiting threads, reply-time drift and the tie's rhythm, read from a correspondent's features: the thread table
/// (<see cref="ThreadTable"/>, since when each side has been waiting in each thread) and the reply times kept in order.
/// </summary>
internal sealed class FollowUpRules(FollowUpOptions o)
{
    /// <summary>
    /// Threads waiting on the owner (<paramref name="onOwner"/>) or on them, as of an instant: opened after the last
    /// answer (<paramref name="answeredAt"/>), older than the usual reply time, younger than the let-go limit, and in
    /// months where the mailbox holds the answering side's mail (else the answer may simply not be stored).
    /// </summary>
    public WaitingThreads Waiting(ThreadTable threadTable, bool onOwner, long answeredAt, RingBuffer? replies, DateTimeOffset asOf, MailboxCoverage coverage)
    {
        int samples = replies?.Count ?? 0;
        bool isDefault = samples < o.ReplyMinSamples;
        double usual = isDefault ? o.DefaultReplyHours : Math.Max(o.MinReplyHours, Math.Round(replies!.Median(), 1));
        long asOfTicks = asOf.UtcTicks, thresholdTicks = (long)(usual * TimeSpan.TicksPerHour), maxTicks = (long)(o.WaitingMaxDays * TimeSpan.TicksPerDay);
        int threads = 0, unjudged = 0;
        long oldest = long.MaxValue;
        foreach (ref readonly var thread in threadTable.States)
        {
            long since = onOwner ? thread.TheirsSince : thread.MineSince;
            if (since == long.MinValue || since <= answeredAt) continue;
            long age = asOfTicks - since;
            if (age <= thresholdTicks || age > maxTicks) continue;
            if (!Held(coverage, since, asOf, sent: onOwner)) { unjudged++; continue; }
            threads++;
            oldest = Math.Min(oldest, since);
        }
        string? note = unjudged == 0 ? null
            : $"{Plural(unjudged, "thread")} not judged: your mailbox does not hold {(onOwner ? "sent" : "received")} mail for all of that time.";
        if (threads == 0) return new WaitingThreads { UsualReplyHours = usual, UsualReplyIsDefault = isDefault, ReplySamples = samples, Note = note };
        double days = Math.Round((asOfTicks - oldest) / (double)TimeSpan.TicksPerDay, 1);
        string usualText = isDefault
            ? $"too few answers {(onOwner ? "from you to them" : "from them")} to know the usual time ({samples} so far), so counted after {Text.Hours(usual)}"
            : onOwner ? $"you usually answer them within {Text.Hours(usual)}" : $"they usually answer you within {Text.Hours(usual)}";
        return new WaitingThreads
        {
            Threads = threads,
            OldestSince = new DateTimeOffset(oldest, TimeSpan.Zero),
            OldestDays = days,
            UsualReplyHours = usual,
            UsualReplyIsDefault = isDefault,
            ReplySamples = samples,
            Summary = $"Waiting on {(onOwner ? "you" : "them")}: {Plural(threads, "thread")}, oldest {Text.Age(days)}; {usualText}.",
            Note = note,
        };
    }

    /// <summary>Whether the mailbox holds one direction's mail in every month from <paramref name="since"/> to the instant (the instant's month only once it has any).</summary>
    private static bool Held(MailboxCoverage coverage, long since, DateTimeOffset asOf, bool sent)
    {
        int last = MonthIndex.Of(asOf);
        int lastStored = coverage.Months.Count == 0 ? int.MinValue : MonthIndex.Of(coverage.Months[^1].Year, coverage.Months[^1].Month);
        for (int m = MonthIndex.OfTicks(since); m <= last; m++)
        {
            if (m == last && lastStored < last) break; // nothing stored yet in the month still running
            if (!(sent ? coverage.SentStoredIn(m) : coverage.ReceivedStoredIn(m))) return false;
        }
        return true;
    }

    /// <summary>Drift each way, over the newest <see cref="FollowUpOptions.DriftSamplesKept"/> reply times (at most those the stage keeps).</summary>
    public ReplyDrift Drift(RingBuffer? repliesMine, RingBuffer? repliesTheirs) =>
        new() { Theirs = Drift(repliesTheirs, mine: false), Mine = Drift(repliesMine, mine: true) };

    private DriftLine Drift(RingBuffer? replies, bool mine)
    {
        if (replies is null) return DriftLine.None;
        var all = replies.Newest(o.DriftSamplesKept);
        int recentCount = Math.Min(o.DriftRecentSamples, all.Length);
        int earlierCount = all.Length - recentCount;
        if (recentCount < o.DriftRecentSamples || earlierCount < o.DriftRecentSamples)
            return new DriftLine { EarlierSamples = earlierCount, RecentSamples = recentCount };
        double earlier = Math.Round(Median(all[..earlierCount]), 1), recent = Math.Round(Median(all[earlierCount..]), 1);
        double ratio = Math.Round(recent / Math.Max(earlier, 0.1), 2);
        bool slower = ratio >= o.DriftFactor && recent - earlier >= o.DriftMinHours;
        bool faster = ratio <= 1 / o.DriftFactor && earlier - recent >= o.DriftMinHours;
        string? summary = null;
        if (slower || faster)
        {
            var times = Text.Times(slower ? ratio : 1 / ratio);
            var was = $"(about {Text.Hours(recent)} now, {Text.Hours(earlier)} before)";
            summary = (mine, slower) switch
            {
                (false, true) => $"They now take about {times} longer to answer you than they used to {was}.",
                (false, false) => $"They now answer you about {times} faster than they used to {was}.",
                (true, true) => $"You now take about {times} longer to answer them than you used to {was}.",
                (true, false) => $"You now answer them about {times} faster than you used to {was}.",
            };
        }
        return new DriftLine
        {
            Flagged = summary is not null, EarlierSamples = earlierCount, RecentSamples = recentCount,
            EarlierMedianHours = earlier, RecentMedianHours = recent, Ratio = ratio, Summary = summary,
        };
    }

    private static double Median(ReadOnlySpan<double> values)
    {
        Span<double> copy = stackalloc double[values.Length];
        values.CopyTo(copy);
        copy.Sort();
        int n = copy.Length;
        return n % 2 == 1 ? copy[n / 2] : (copy[n / 2 - 1] + copy[n / 2]) / 2;
    }

    /// <summary>The tie's own rhythm: its usual gap, when contact is next due and how far past it the tie is.</summary>
    public static ContactRhythm Rhythm(FollowUpOptions o, Evidence e, int gaps, DateTimeOffset asOf, MailboxCoverage coverage)
    {
        if (e.LastInteraction is not { } last || e.FirstInteraction is not { } first) return ContactRhythm.None;
        bool older = coverage.Months.Count > 0 && MonthIndex.Of(first) <= MonthIndex.Of(coverage.Months[0].Year, coverage.Months[0].Month);
        string olderText = older ? " In touch since your mailbox's first stored month, so the tie may be older than this history." : "";
        if (gaps < o.RhythmMinGaps || e.UsualGapDays is not { } gap || gap <= 0)
            return new ContactRhythm
            {
                Gaps = gaps, OlderThanHistory = older,
                Summary = $"Too little history for a rhythm: contact on {Plural(gaps + 1, "day")} so far (needs {o.RhythmMinGaps + 1}).{olderText}",
            };
        var due = last.AddDays(gap);
        double silence = Math.Max(0, (asOf - last).TotalDays);
        double overdue = Math.Round(silence / gap, 1);
        string when = overdue > 1
            ? $"{overdue.ToString("0.#", CultureInfo.InvariantCulture)} times overdue"
            : $"next contact due by {due.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}";
        return new ContactRhythm
        {
            Known = true, Gaps = gaps, UsualGapDays = gap, NextDue = due, OverdueFactor = overdue, OlderThanHistory = older,
            Summary = $"Usually every {Text.Every(gap)}; {when}.{olderText}",
        };
    }

    private static string Plural(int n, string one) => $"{n} {(n == 1 ? one : one + "s")}";

    /// <summary>Wording shared by the follow-up lines.</summary>
    internal static class Text
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static string Hours(double hours) =>
            hours < 1 ? "an hour" : hours < 47.5 ? $"{Math.Round(hours).ToString(Inv)} h" : $"{Math.Round(hours / 24).ToString(Inv)} days";

        public static string Age(double days) => days < 2 ? Hours(days * 24) : $"{Math.Round(days).ToString(Inv)} days";

        public static string Every(double days) =>
            days <= 1 ? "day" : days < 60 ? $"{Math.Round(days).ToString(Inv)} days" : $"{Math.Round(days / 30.44).ToString(Inv)} months";

        public static string Times(double ratio) => ratio < 2.75 ? $"{(Math.Round(ratio * 2) / 2).ToString("0.#", Inv)} times" : $"{Math.Round(ratio).ToString(Inv)} times";
    }
}
