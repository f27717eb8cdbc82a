using System.Globalization;

namespace MailRapport.Core;

/// <summary>One calendar month (UTC) of a mailbox: what it stores, and whether each kind of item counts as stored.</summary>
public sealed record MonthCoverage(int Year, int Month, int Received, int Sent, int Meetings,
    bool ReceivedStored, bool SentStored, bool CalendarStored)
{
    /// <summary>Both directions of mail are stored: a tie can be judged one-sided only in such months.</summary>
    public bool BothStored => ReceivedStored && SentStored;
}

/// <summary>
/// What a mailbox holds, month by month. Real mailboxes are incomplete (retention policies, cleaned-up inboxes,
/// migrated mailboxes, folders not read), so the model measures balance and replies only over months where the
/// mailbox holds both received and sent mail. A direction counts as stored in a month when the month holds at least
/// <see cref="StageModelOptions.CoverageShare"/> of the mailbox's own busy level for it (the upper quartile of its
/// non-empty months): a retention cut or a deleted folder drops a month far below that, a quiet week does not.
/// Received mail must also reach that share of the month's sent mail: people receive more than they send.
/// </summary>
public sealed record MailboxCoverage(IReadOnlyList<MonthCoverage> Months)
{
    public static readonly MailboxCoverage Empty = new([]);

    /// <summary>
    /// The coverage from per-month item counts (month index, received, sent, meetings; items before
    /// <paramref name="asOf"/> only), judged exactly as <see cref="ProfileBuilder.Coverage"/> judges the items it was given.
    /// </summary>
    public static MailboxCoverage FromMonthCounts(IEnumerable<(int MonthIndex, int Received, int Sent, int Meetings)> months, DateTimeOffset asOf,
        StageModelOptions options)
    {
        var activity = new MailboxActivity();
        foreach (var m in months.OrderBy(m => m.MonthIndex)) activity.Add(m.MonthIndex, m.Received, m.Sent, m.Meetings);
        return activity.Coverage(asOf, options);
    }

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public int ReceivedMonths => Months.Count(m => m.ReceivedStored);
    public int SentMonths => Months.Count(m => m.SentStored);
    public int BothMonths => Months.Count(m => m.BothStored);

    /// <summary>Whether both directions are stored in the month with this index (year × 12 + month − 1).</summary>
    public bool BothStoredIn(int monthIndex) => Find(monthIndex) is { BothStored: true };
    public bool SentStoredIn(int monthIndex) => Find(monthIndex) is { SentStored: true };
    public bool ReceivedStoredIn(int monthIndex) => Find(monthIndex) is { ReceivedStored: true };

    private MonthCoverage? Find(int monthIndex)
    {
        int lo = 0, hi = Months.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            int key = MonthIndex.Of(Months[mid].Year, Months[mid].Month);
            if (key == monthIndex) return Months[mid];
            if (key < monthIndex) lo = mid + 1; else hi = mid - 1;
        }
        return null;
    }

    /// <summary>
    /// One line per kind, for people: "received mail stored Oct–Dec 2000 only; sent mail stored Dec 1999–Apr 2001;
    /// no calendar stored".
    /// </summary>
    public string Describe()
    {
        if (Months.Count == 0) return "nothing stored yet";
        return string.Join("; ",
            Describe("received mail", m => m.ReceivedStored),
            Describe("sent mail", m => m.SentStored),
            Describe("calendar", m => m.CalendarStored));
    }

    /// <summary>Stored ranges of one kind, for example "Oct–Dec 2000, Mar 2001".</summary>
    public string Ranges(Func<MonthCoverage, bool> stored)
    {
        var ranges = new List<string>();
        int? start = null, previous = null;
        foreach (var m in Months.Where(stored).Select(m => MonthIndex.Of(m.Year, m.Month)))
        {
            if (start is null) start = m;
            else if (m != previous + 1) { ranges.Add(Range(start.Value, previous!.Value)); start = m; }
            previous = m;
        }
        if (start is not null) ranges.Add(Range(start.Value, previous!.Value));
        return string.Join(", ", ranges);
    }

    private string Describe(string kind, Func<MonthCoverage, bool> stored)
    {
        int count = Months.Count(stored);
        if (count == 0) return $"no {kind} stored";
        var ranges = Ranges(stored);
        // "only" when the kind is missing from months where the mailbox holds other items.
        bool partial = count < Months.Count(m => m.ReceivedStored || m.SentStored || m.CalendarStored);
        return $"{kind} stored {ranges}{(partial ? " only" : "")}";
    }

    private static string Range(int from, int to)
    {
        string Name(int m) => MonthIndex.Start(m).ToString("MMM", Inv);
        if (from == to) return $"{Name(from)} {from / 12}";
        return from / 12 == to / 12
            ? $"{Name(from)}–{Name(to)} {to / 12}"
            : $"{Name(from)} {from / 12}–{Name(to)} {to / 12}";
    }
}

/// <summary>The month index used throughout the model: year × 12 + month − 1 (UTC).</summary>
public static class MonthIndex
{
    public static int Of(int year, int month) => year * 12 + month - 1;
    public static (int Year, int Month) YearMonth(int monthIndex) => (monthIndex / 12, monthIndex % 12 + 1);
    public static int Of(DateTimeOffset instant) => Of(instant.UtcDateTime.Year, instant.UtcDateTime.Month);
    public static int OfTicks(long utcTicks) { var d = new DateTime(utcTicks, DateTimeKind.Utc); return Of(d.Year, d.Month); }
    public static DateTimeOffset Start(int monthIndex)
    {
        var (year, month) = YearMonth(monthIndex);
        return new(year, month, 1, 0, 0, 0, TimeSpan.Zero);
    }
}

/// <summary>Counts items per month for a whole mailbox (any correspondent), in time order, and judges coverage.</summary>
internal sealed class MailboxActivity
{
    private readonly List<(int Month, int Received, int Sent, int Meetings)> _months = [];

    public void Received(long ticks) => Bump(ticks, 1, 0, 0);
    public void Sent(long ticks) => Bump(ticks, 0, 1, 0);
    public void Meeting(long ticks) => Bump(ticks, 0, 0, 1);

    private void Bump(long ticks, int received, int sent, int meetings) => Add(MonthIndex.OfTicks(ticks), received, sent, meetings);

    /// <summary>Adds counts to a month; months come in order.</summary>
    public void Add(int month, int received, int sent, int meetings)
    {
        if (_months.Count == 0 || _months[^1].Month != month)
            _months.Add((month, 0, 0, 0));
        var last = _months[^1];
        _months[^1] = (month, last.Received + received, last.Sent + sent, last.Meetings + meetings);
    }

    public MailboxCoverage Coverage(DateTimeOffset asOf, StageModelOptions o)
    {
        int asOfMonth = MonthIndex.Of(asOf);
        var months = _months.Where(m => m.Month <= asOfMonth).ToList();
        if (months.Count == 0) return MailboxCoverage.Empty;
        // The month containing asOf is partly over: judge it against the share of the month that has passed.
        var start = MonthIndex.Start(asOfMonth);
        double elapsed = Math.Clamp((asOf - start).TotalDays / (start.AddMonths(1) - start).TotalDays, 0, 1);
        double receivedBar = Bar(months.Select(m => m.Received), o), sentBar = Bar(months.Select(m => m.Sent), o);
        var result = new List<MonthCoverage>(months.Count);
        foreach (var (month, received, sent, meetings) in months)
        {
            double scale = month == asOfMonth ? elapsed : 1;
            var (year, monthOfYear) = MonthIndex.YearMonth(month);
            result.Add(new MonthCoverage(year, monthOfYear, received, sent, meetings,
                // People receive more mail than they send: a month whose received mail is a small fraction of what was
                // sent has lost its inbox, whatever the mailbox's own level (which a short stored period cannot show).
                ReceivedStored: received > 0 && received >= receivedBar * scale && received >= o.CoverageShare * sent,
                SentStored: sent > 0 && sent >= sentBar * scale,
                CalendarStored: meetings > 0));
        }
        return new MailboxCoverage(result);
    }

    /// <summary>The count a month needs for a direction to count as stored: a share of the mailbox's busy level.</summary>
    private static double Bar(IEnumerable<int> counts, StageModelOptions o)
    {
        var nonEmpty = counts.Where(c => c > 0).Order().ToArray();
        if (nonEmpty.Length == 0) return double.MaxValue;
        double busy = nonEmpty[(int)Math.Floor(0.75 * (nonEmpty.Length - 1))];
        return Math.Max(1, o.CoverageShare * busy);
    }
}
