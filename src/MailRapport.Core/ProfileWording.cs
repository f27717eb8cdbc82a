using System.Globalization;
using static MailRapport.Core.DurationText;

namespace MailRapport.Core;

/// <summary>A profile in words: the reasons for its stage, the evidence, and the next step.</summary>
internal static class ProfileWording
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The plain reasons for the stage, rendered from the decision's criteria.</summary>
    public static IEnumerable<string> StageReasons(StageDecision d, CorrespondentFeatures f, Evidence e, MailboxCoverage coverage)
    {
        var w = d.Window;
        string measured = w.WholeHistory || w.From is null ? "" : $" (measured over {MonthSpan(w)}, the months your mailbox holds mail both ways)";
        Criterion Get(IEnumerable<Criterion> list, string name) => list.First(c => c.Name == name);
        switch (d.Stage)
        {
            case Stage.Relationship:
                yield return $"Relationship: a two-way exchange sustained over {Months(e.SpanDays)} ({e.ActiveMonths} active months) with shared experiences " +
                    $"({Get(d.Relationship, Criteria.SharedExperiences).Detail}).";
                if (measured.Length > 0) yield return $"Both of you write and answer{measured}: {w.MessagesSent} sent, {w.MessagesReceived} received.";
                yield break;
            case Stage.Rapport:
                yield return Get(d.Rapport, Criteria.MetInPerson).Met && d.Missing(Stage.Rapport).Any()
                    ? $"Rapport: {f.SmallMeetings} small meetings together and mail both ways."
                    : $"Rapport: both of you write and both answer{measured}.";
                var roots = d.Missing(Stage.Relationship).Select(c => c.Detail).ToList();
                if (roots.Count > 0) yield return "Roots still shallow: " + string.Join("; ", roots) + ".";
                yield break;
        }
        var why = new List<string>();
        if (f.Sent == 0 && f.Received == 0) why.Add("known only from meetings");
        else if (w.Months == 0 || w.MessagesSent + w.MessagesReceived == 0)
            why.Add(f.Sent == 0 || f.Received == 0
                ? $"{(f.Sent == 0 ? "they wrote" : "you wrote")}, but your mailbox holds {(f.Sent == 0 ? "no sent mail" : "no received mail")} from those months, so whether it goes both ways cannot be seen; what it holds: {coverage.Describe()}"
                : $"your mailbox holds no month with mail stored both ways while you were in touch, so the balance cannot be judged; what it holds: {coverage.Describe()}");
        else if (f.Sent == 0) why.Add("you have never written to them");
        else if (f.Received == 0) why.Add("they have never written to you");
        else
            foreach (var c in d.Missing(Stage.Rapport))
                why.Add(c.Name switch
                {
                    Criteria.BothWrite => $"only {Math.Min(w.MessagesSent, w.MessagesReceived)} message(s) one way{measured}",
                    Criteria.Balanced => $"the exchange is lopsided{measured}: {w.MessagesSent} sent, {w.MessagesReceived} received",
                    Criteria.BothAnswer => "no sign yet that both of you answer the other",
                    Criteria.Responsive => $"answers are slow ({c.Detail})",
                    _ => c.Detail,
                });
        yield return "Contact: no sustained two-way exchange yet" + (why.Count > 0 ? " (" + string.Join("; ", why) + ")." : ".");
    }

    private static string MonthSpan(EvidenceWindow w)
    {
        var from = w.From!.Value;
        var last = w.To!.Value.AddMonths(-1);
        string Name(DateTimeOffset d) => d.ToString("MMM yyyy", Inv);
        return from == last ? Name(from) : $"{Name(from)}–{Name(last)}";
    }

    public static void AddEvidenceReasons(CorrespondentFeatures f, Evidence e, Nurture nurture, ContactFlags flags, List<string> reasons)
    {
        if (f.Sent > 0 && f.Received > 0) reasons.Add($"Mail both ways: {f.Sent} sent, {f.Received} received.");
        // "One-way" only where the other direction could have been seen (the flags say so).
        else if (f.Received > 0) reasons.Add(flags.HasFlag(ContactFlags.OneWayInbound)
            ? $"One-way: {f.Received} received from them, none sent."
            : $"{f.Received} received from them; none of your mail to them is stored.");
        else if (f.Sent > 0) reasons.Add(flags.HasFlag(ContactFlags.OneWayOutbound)
            ? $"One-way: {f.Sent} sent by you, no answer."
            : $"{f.Sent} sent by you; none of their mail to you is stored.");
        if (e.MedianReplyHoursMine is { } m && e.MedianReplyHoursTheirs is { } t)
            reasons.Add($"Median reply: you {Hours(m)}, they {Hours(t)}.");
        if (e.SharedMeetings > 0)
            reasons.Add($"{e.SharedMeetings} shared meeting(s), {e.MeetingHours.ToString("0.#", Inv)} h.");
        if (nurture != Nurture.Active)
            reasons.Add($"{(nurture == Nurture.Cooling ? "Cooling" : "Dormant")}: quiet for {Days(e.SilenceDays)}" +
                (e.UsualGapDays is { } g ? $", usually every {Days(g)}." : "."));
    }

    public static string NextStep(StageDecision d, Nurture nurture, ContactFlags flags, CorrespondentFeatures f, Evidence e, double coolingAt)
    {
        var stage = d.Stage;
        if (flags.HasFlag(ContactFlags.Automated))
            return "Nothing to do: automated senders are kept out of the stages. Mark the address as a person if this is wrong.";
        if (stage != Stage.Contact && nurture == Nurture.Dormant)
            return $"Reconnect: quiet for {Days(e.SilenceDays)}. A personal note about something you shared would reopen it.";
        if (stage != Stage.Contact && nurture == Nurture.Cooling)
            return $"Check in: {Days(e.SilenceDays)} without contact, well beyond your usual {Days(e.UsualGapDays ?? coolingAt)}. A short message keeps it warm.";
        return stage switch
        {
            Stage.Relationship => e.UsualGapDays is { } g
                ? $"Keep the rhythm: you are usually in touch every {Days(g)}."
                : "Keep the rhythm of regular contact.",
            Stage.Rapport when e.SharedMeetings == 0 && d.Missing(Stage.Relationship).Any(c => c.Name == Criteria.SharedExperiences) => "A first meeting would deepen this.",
            Stage.Rapport => "Keep it going over the coming months: time and shared work turn rapport into a relationship.",
            _ when flags.HasFlag(ContactFlags.OneWayInbound) => "Answer when it matters to you: a reply would open a two-way exchange.",
            _ when flags.HasFlag(ContactFlags.OneWayOutbound) => "They have not written back yet: a short follow-up or a call may open the exchange.",
            _ when flags.HasFlag(ContactFlags.MeetingsOnly) => "Follow up a meeting by mail to start an exchange.",
            _ when d.Window.Months == 0 => "Nothing to judge yet: the mailbox does not hold mail both ways for the months you were in touch.",
            _ when f.RepliesMine == 0 && f.Received > 0 => "Answer their last message: rapport starts when both sides reply.",
            _ => "Keep the exchange going: a few prompt answers each way build rapport.",
        };
    }
}
