using System.Globalization;

namespace MailRapport.Core;

/// <summary>
/// Per correspondent, what waiting, rhythm and drift need beyond the stage features: per thread, since when each side
/// has been waiting for an answer, and the reply times in time order. Bounded (threads and samples), like the rest.
/// </summary>
internal sealed class FollowUpTracker(FollowUpOptions o)
{
    private Slot[]? _threads;
    private int _count;
    private OrderedSamples? _repliesMine, _repliesTheirs;

    private struct Slot
    {
        public ulong Key;
        public long TouchedTicks;
        /// <summary>First direct message of theirs (mine) in this thread since the owner (they) last answered; MinValue when none.</summary>
        public long TheirsSince, MineSince;
    }

    /// <summary>
    /// A message in a thread. <paramref name="answeredAt"/> is when the other side last answered anywhere (message or
    /// shared meeting): a message after it opens a wait, one before it was answered. Only direct mail opens a wait.
    /// </summary>
    public void Message(ulong thread, long ticks, bool mine, bool direct, long answeredAt)
    {
        ref var slot = ref Find(thread, ticks);
        if (!direct) return;
        if (mine) { if (slot.MineSince <= answeredAt) slot.MineSince = ticks; }
        else if (slot.TheirsSince <= answeredAt) slot.TheirsSince = ticks;
    }

    public void Reply(bool mine, double hours) =>
        (mine ? _repliesMine ??= new OrderedSamples(o.DriftSamplesKept) : _repliesTheirs ??= new OrderedSamples(o.DriftSamplesKept)).Add(hours);

    private ref Slot Find(ulong key, long ticks)
    {
        _threads ??= new Slot[Math.Max(1, o.ThreadsRemembered)];
        int index = -1;
        for (int i = 0; i < _count; i++)
            if (_threads[i].Key == key) { index = i; break; }
        if (index < 0)
        {
            if (_count < _threads.Length) index = _count++;
            else
            {
                index = 0; // forget the least recently used thread
                for (int i = 1; i < _count; i++)
                    if (_threads[i].TouchedTicks < _threads[index].TouchedTicks) index = i;
            }
            _threads[index] = new Slot { Key = key, TheirsSince = long.MinValue, MineSince = long.MinValue };
        }
        _threads[index].TouchedTicks = ticks;
        return ref _threads[index];
    }

    /// <summary>
    /// Threads waiting on the owner (<paramref name="onOwner"/>) or on them, as of an instant: opened after the last
    /// answer (<paramref name="answeredAt"/>), older than the usual reply time, younger than the let-go limit, and in
    /// months where the mailbox holds the answering side's mail (else the answer may simply not be stored).
    /// </summary>
    public WaitingThreads Waiting(bool onOwner, long answeredAt, RingBuffer? replies, DateTimeOffset asOf, MailboxCoverage coverage)
    {
        int samples = replies?.Count ?? 0;
        bool isDefault = samples < o.ReplyMinSamples;
        double usual = isDefault ? o.DefaultReplyHours : Math.Max(o.MinReplyHours, Math.Round(replies!.Median(), 1));
        long asOfTicks = asOf.UtcTicks, thresholdTicks = (long)(usual * TimeSpan.TicksPerHour), maxTicks = (long)(o.WaitingMaxDays * TimeSpan.TicksPerDay);
        int threads = 0, unjudged = 0;
        long oldest = long.MaxValue;
        for (int i = 0; i < _count; i++)
        {
            long since = onOwner ? _threads![i].TheirsSince : _threads![i].MineSince;
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

    public ReplyDrift Drift() => new() { Theirs = Drift(_repliesTheirs, mine: false), Mine = Drift(_repliesMine, mine: true) };

    private DriftLine Drift(OrderedSamples? samples, bool mine)
    {
        if (samples is null) return DriftLine.None;
        var all = samples.InOrder();
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

/// <summary>The most recent N values in the order they came.</summary>
internal sealed class OrderedSamples(int capacity)
{
    private readonly double[] _values = new double[Math.Max(1, capacity)];
    private int _count, _next;

    public void Add(double value)
    {
        _values[_next] = value;
        _next = (_next + 1) % _values.Length;
        if (_count < _values.Length) _count++;
    }

    public double[] InOrder()
    {
        var result = new double[_count];
        int start = _count < _values.Length ? 0 : _next;
        for (int i = 0; i < _count; i++) result[i] = _values[(start + i) % _values.Length];
        return result;
    }
}
