namespace MailRapport.Core;

/// <summary>What the stage is judged on: a correspondent's evidence as of an instant, and the months it is measured over.</summary>
internal static class FeatureEvidence
{
    /// <summary>
    /// The months balance and replies are measured over: from the tie's first month to <paramref name="asOf"/>, those
    /// where the mailbox holds both received and sent mail.
    /// </summary>
    public static EvidenceWindow Window(CorrespondentFeatures f, DateTimeOffset asOf, MailboxCoverage coverage)
    {
        if (f.Timeline.IsEmpty) return new EvidenceWindow { WholeHistory = true };
        int first = f.Timeline[0].MonthIndex, last = MonthIndex.Of(asOf);
        int from = int.MaxValue, to = int.MinValue, months = 0, sent = 0, received = 0, backAndForth = 0;
        double ws = 0, wr = 0;
        bool whole = true;
        foreach (var m in coverage.Months)
        {
            int index = MonthIndex.Of(m.Year, m.Month);
            if (index < first || index > last || !m.BothStored) continue;
            from = Math.Min(from, index);
            to = Math.Max(to, index);
            months++;
        }
        foreach (var b in f.Timeline)
        {
            if (b.Sent + b.Received == 0) continue;
            if (!coverage.BothStoredIn(b.MonthIndex)) { whole = false; continue; }
            sent += b.Sent; received += b.Received;
            ws += b.WeightedSent; wr += b.WeightedReceived;
            backAndForth += Math.Min(b.Sent, b.Received);
        }
        double more = Math.Max(ws, wr);
        return new EvidenceWindow
        {
            From = months > 0 ? MonthIndex.Start(from) : null,
            To = months > 0 ? MonthIndex.Start(to).AddMonths(1) : null,
            Months = months,
            WholeHistory = whole,
            MessagesSent = sent,
            MessagesReceived = received,
            Balance = more > 0 ? Math.Round(Math.Min(ws, wr) / more, 3) : 0,
            BackAndForth = backAndForth,
        };
    }

    /// <summary>Whether any of the tie's mail falls in a month where the other direction is stored.</summary>
    public static bool SeenWhere(CorrespondentFeatures f, MailboxCoverage coverage, bool sentStored)
    {
        foreach (var b in f.Timeline)
            if ((sentStored ? b.Received > 0 && coverage.SentStoredIn(b.MonthIndex) : b.Sent > 0 && coverage.ReceivedStoredIn(b.MonthIndex)))
                return true;
        return false;
    }

    public static Evidence Evidence(CorrespondentFeatures f, DateTimeOffset asOf)
    {
        DateTimeOffset? At(long ticks) => ticks is long.MinValue or long.MaxValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        var last = At(f.LastTicks);
        var first = At(f.FirstTicks);
        return new Core.Evidence
        {
            MessagesSent = f.Sent,
            MessagesReceived = f.Received,
            SharedThreads = f.SharedThreads,
            SharedMeetings = f.Meetings,
            MeetingHours = Math.Round(f.MeetingHours, 2),
            FirstInteraction = first,
            LastInteraction = last,
            MedianReplyHoursMine = Median(f.ReplyHoursMine),
            MedianReplyHoursTheirs = Median(f.ReplyHoursTheirs),
            RepliesMine = f.RepliesMine,
            RepliesTheirs = f.RepliesTheirs,
            AnsweredByMeetingMine = f.AnsweredByMeetingMine,
            AnsweredByMeetingTheirs = f.AnsweredByMeetingTheirs,
            ActiveMonths = f.ActiveMonths,
            SpanDays = first is { } a && last is { } b ? Math.Round((b - a).TotalDays, 1) : 0,
            UsualGapDays = f.GapDays is { Count: > 0 } g ? Math.Round(g.Quantile(0.75), 1) : null,
            SilenceDays = last is { } l ? Math.Round(Math.Max(0, (asOf - l).TotalDays), 1) : 0,
            LastSent = At(f.LastSentTicks),
            LastReceived = At(f.LastReceivedTicks),
        };
    }

    private static double? Median(RingBuffer? buffer) => buffer is { Count: > 0 } b ? Math.Round(b.Median(), 1) : null;
}
