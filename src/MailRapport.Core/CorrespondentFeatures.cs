namespace MailRapport.Core;

/// <summary>
/// Running features for one correspondent. Every buffer is bounded (reply and gap samples, threads),
/// so memory grows with the number of correspondents, not with the number of messages.
/// </summary>
internal sealed class CorrespondentFeatures(string address)
{
    public string Address { get; } = address;
    public string? DisplayName;

    public long FirstTicks = long.MaxValue, LastTicks = long.MinValue;
    public long LastSentTicks = long.MinValue, LastReceivedTicks = long.MinValue;

    public int Sent, Received;
    public double WeightedSent, WeightedReceived;
    public int SharedThreads;
    public int RepliesMine, RepliesTheirs;
    /// <summary>Answers given by meeting: a meeting after the other side's unanswered message counts as an answer.</summary>
    public int AnsweredByMeetingMine, AnsweredByMeetingTheirs;
    public long LastMeetingTicks = long.MinValue;
    /// <summary>Reply latencies in hours, the most recent kept: medians for the stage, the newest in order for drift.</summary>
    public RingBuffer? ReplyHoursMine, ReplyHoursTheirs;
    /// <summary>Recent threads (reply times, shared threads, waiting); null until the first message.</summary>
    public ThreadTable? Threads;

    public int Meetings, SmallMeetings;
    public double MeetingHours, WeightedMeetings, WeightedMeetingHours;

    public int ActiveMonths;
    private long _lastDay = long.MinValue;
    private long _monthEndTicks = long.MinValue;
    public RingBuffer? GapDays;

    // Automation evidence (incoming mail only).
    /// <summary>Received messages sent to a large list or not addressed to the owner directly (Bcc, via a list).</summary>
    public int ReceivedWithMarkers, ReceivedAsMassMail;
    public AutomationMarkers MarkersSeen;

    // Month buckets in a plain array (no List in between): Touch reaches the current month with one indirection less.
    private MonthBucket[] _months = [];
    private int _monthCount;

    /// <summary>Activity per month, oldest first (months without activity left out).</summary>
    public ReadOnlySpan<MonthBucket> Timeline => _months.AsSpan(0, _monthCount);

    public struct MonthBucket
    {
        public int MonthIndex;
        public int Sent, Received, Meetings;
        public double WeightedSent, WeightedReceived;
    }

    /// <summary>
    /// Marks an interaction at <paramref name="ticks"/> (UTC ticks): span, months, gaps, timeline.
    /// Relies on time order (ProfileBuilder enforces it): first is the first call, months only move forward.
    /// </summary>
    public ref MonthBucket Touch(long ticks, int gapSamples)
    {
        if (FirstTicks == long.MaxValue) FirstTicks = ticks;
        LastTicks = ticks;
        var day = ticks / TimeSpan.TicksPerDay;
        if (day != _lastDay)
        {
            if (_lastDay != long.MinValue) (GapDays ??= new RingBuffer(gapSamples)).Add(day - _lastDay);
            _lastDay = day;
        }
        // Month index, recomputed only when the instant leaves the cached month.
        if (ticks >= _monthEndTicks)
        {
            int monthIndex = Core.MonthIndex.OfTicks(ticks);
            _monthEndTicks = Core.MonthIndex.Start(monthIndex).AddMonths(1).UtcTicks;
            ActiveMonths++;
            if (_monthCount == _months.Length) Array.Resize(ref _months, Math.Max(4, _months.Length * 2));
            _months[_monthCount++] = new MonthBucket { MonthIndex = monthIndex };
        }
        return ref _months[_monthCount - 1];
    }

    /// <summary>
    /// A meeting answers whichever side wrote last and was not yet answered (by mail or an earlier meeting),
    /// within the reply window: someone who answers by calling a meeting is answering.
    /// </summary>
    public void MeetingAnswers(long ticks, long windowTicks)
    {
        if (LastReceivedTicks > LastSentTicks && LastReceivedTicks > LastMeetingTicks && ticks - LastReceivedTicks <= windowTicks)
        {
            RepliesMine++;
            AnsweredByMeetingMine++;
        }
        else if (LastSentTicks > LastReceivedTicks && LastSentTicks > LastMeetingTicks && ticks - LastSentTicks <= windowTicks)
        {
            RepliesTheirs++;
            AnsweredByMeetingTheirs++;
        }
        LastMeetingTicks = ticks;
    }

    /// <summary>
    /// Records the owner (mine = true) or the correspondent writing in a thread, and returns the reply latency
    /// when this message answers the other side's last unanswered message within the window. A direct message
    /// written after the other side last answered anywhere (<paramref name="answeredAt"/>: a message or a shared
    /// meeting) opens a wait in its thread; one before it was answered.
    /// </summary>
    public double? Thread(ulong key, long ticks, bool mine, bool direct, long answeredAt, int capacity, long windowTicks)
    {
        ref var t = ref (Threads ??= new ThreadTable(capacity)).Find(key, ticks);
        double? latency = null;
        if (mine)
        {
            if (direct && t.MineSince <= answeredAt) t.MineSince = ticks;
            if (t.LastTheirsTicks != long.MinValue && t.LastTheirsTicks > t.LastMineTicks && ticks - t.LastTheirsTicks <= windowTicks)
                latency = (ticks - t.LastTheirsTicks) / (double)TimeSpan.TicksPerHour;
            t.LastMineTicks = ticks;
            t.Mine = true;
        }
        else
        {
            if (direct && t.TheirsSince <= answeredAt) t.TheirsSince = ticks;
            if (t.LastMineTicks != long.MinValue && t.LastMineTicks > t.LastTheirsTicks && ticks - t.LastMineTicks <= windowTicks)
                latency = (ticks - t.LastMineTicks) / (double)TimeSpan.TicksPerHour;
            t.LastTheirsTicks = ticks;
            t.Theirs = true;
        }
        if (t.Mine && t.Theirs && !t.Counted)
        {
            t.Counted = true;
            SharedThreads++;
        }
        return latency;
    }
}

/// <summary>Keeps the most recent N values; the median is computed on demand.</summary>
internal sealed class RingBuffer(int capacity)
{
    private readonly double[] _values = new double[Math.Max(1, capacity)];
    private int _count, _next;

    public int Count => _count;

    public void Add(double value)
    {
        _values[_next] = value;
        _next = (_next + 1) % _values.Length;
        if (_count < _values.Length) _count++;
    }

    public double Median() => Quantile(0.5);

    /// <summary>The newest <paramref name="n"/> values (at most all kept) in the order they came.</summary>
    public double[] Newest(int n)
    {
        n = Math.Min(n, _count);
        var result = new double[n];
        for (int i = 0; i < n; i++) result[i] = _values[((_next - n + i) % _values.Length + _values.Length) % _values.Length];
        return result;
    }

    /// <summary>Linear-interpolated quantile of the kept values (q in 0..1).</summary>
    public double Quantile(double q)
    {
        if (_count == 0) return double.NaN;
        Span<double> copy = stackalloc double[_count];
        _values.AsSpan(0, _count).CopyTo(copy);
        copy.Sort();
        double position = q * (_count - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(_count - 1, low + 1);
        return copy[low] + (copy[high] - copy[low]) * (position - low);
    }
}
