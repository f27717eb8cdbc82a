using System.Globalization;

namespace MailRapport.Core;

/// <summary>Turns one correspondent's features into a stage, nurture status, scores, reasons and a next step.</summary>
internal sealed class StageClassifier(StageModelOptions o)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public ContactProfile Classify(CorrespondentFeatures f, DateTimeOffset asOf, bool? automatedOverride)
    {
        var evidence = BuildEvidence(f, asOf);
        var automatedReason = AutomatedReason(f, automatedOverride);
        bool automated = automatedReason is not null;

        var flags = ContactFlags.None;
        if (automated) flags |= ContactFlags.Automated;
        if (f.Sent == 0 && f.Received == 0) flags |= ContactFlags.MeetingsOnly;
        else if (f.Meetings == 0 && f.Sent == 0) flags |= ContactFlags.OneWayInbound;
        else if (f.Meetings == 0 && f.Received == 0) flags |= ContactFlags.OneWayOutbound;

        var (harmony, depth, strength) = Scores(f, evidence);
        if (automated) strength = 0;

        var reasons = new List<string>();
        var stage = automated ? Stage.Contact : DecideStage(f, evidence, depth, reasons);
        var nurture = DecideNurture(evidence, out var coolingAt, out var dormantAt);
        AddEvidenceReasons(f, evidence, nurture, reasons);
        if (automated) reasons.Insert(0, "Automated sender: " + automatedReason);

        return new ContactProfile
        {
            Address = f.Address,
            DisplayName = f.DisplayName,
            Stage = stage,
            Nurture = nurture,
            Flags = flags,
            Harmony = harmony,
            Depth = depth,
            Strength = strength,
            Evidence = evidence,
            Reasons = reasons,
            NextStep = NextStep(stage, nurture, flags, f, evidence, coolingAt),
            AutomatedReason = automatedReason,
            AsOf = asOf,
            Timeline = f.Timeline.Select(b => new MonthActivity(b.MonthIndex / 12, b.MonthIndex % 12 + 1, b.Sent, b.Received, b.Meetings)).ToList(),
        };
    }

    private static Evidence BuildEvidence(CorrespondentFeatures f, DateTimeOffset asOf)
    {
        DateTimeOffset? At(long ticks) => ticks is long.MinValue or long.MaxValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        var last = At(f.LastTicks);
        var first = At(f.FirstTicks);
        return new Evidence
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
            ActiveMonths = f.ActiveMonths,
            SpanDays = first is { } a && last is { } b ? Math.Round((b - a).TotalDays, 1) : 0,
            UsualGapDays = f.GapDays is { Count: > 0 } g ? Math.Round(g.Quantile(0.75), 1) : null,
            SilenceDays = last is { } l ? Math.Round(Math.Max(0, (asOf - l).TotalDays), 1) : 0,
            LastSent = At(f.LastSentTicks),
            LastReceived = At(f.LastReceivedTicks),
        };
    }

    private static double? Median(RingBuffer? buffer) => buffer is { Count: > 0 } b ? Math.Round(b.Median(), 1) : null;

    // ---- automated senders ----

    private string? AutomatedReason(CorrespondentFeatures f, bool? overridden)
    {
        if (overridden == false) return null;
        if (overridden == true) return "you marked this address as automated.";
        var local = EmailAddress.LocalPart(f.Address).Replace(".", "").Replace("-", "").Replace("_", "");
        foreach (var pattern in o.AutomatedLocalParts)
            if (local.StartsWith(pattern, StringComparison.OrdinalIgnoreCase))
                return $"the address looks like a machine sender ('{EmailAddress.LocalPart(f.Address)}@').";
        if (f.Sent > o.AutomatedMaxOwnerMessages || f.Received == 0) return null;
        if (f.ReceivedWithMarkers >= Math.Max(1, o.AutomatedMarkerShare * f.Received))
            return $"{f.ReceivedWithMarkers} of {f.Received} messages carry mailing-list or bulk headers ({DescribeMarkers(f.MarkersSeen)}).";
        if (f.Sent == 0 && f.Received >= o.MassMailMinMessages && f.ReceivedAsMassMail >= o.MassMailListShare * f.Received)
            return $"one-way mass mail: {f.ReceivedAsMassMail} of {f.Received} messages went to large lists or Bcc, and you never wrote back.";
        return null;
    }

    private static string DescribeMarkers(AutomationMarkers m)
    {
        var parts = new List<string>();
        if (m.HasFlag(AutomationMarkers.ListId)) parts.Add("List-Id");
        if (m.HasFlag(AutomationMarkers.ListUnsubscribe)) parts.Add("List-Unsubscribe");
        if (m.HasFlag(AutomationMarkers.PrecedenceBulk)) parts.Add("Precedence: bulk");
        if (m.HasFlag(AutomationMarkers.AutoSubmitted)) parts.Add("Auto-Submitted");
        if (m.HasFlag(AutomationMarkers.Bulk)) parts.Add("bulk");
        return string.Join(", ", parts);
    }

    // ---- scores ----

    private (int Harmony, int Depth, int Strength) Scores(CorrespondentFeatures f, Evidence e)
    {
        double ws = f.WeightedSent, wr = f.WeightedReceived;
        double balance = Balance(f);
        double speedMine = e.MedianReplyHoursMine is { } hm ? Math.Exp(-hm / o.ReplySpeedScaleHours) : 0;
        double speedTheirs = e.MedianReplyHoursTheirs is { } ht ? Math.Exp(-ht / o.ReplySpeedScaleHours) : 0;
        double answered = (Saturate(f.RepliesMine, 3) + Saturate(f.RepliesTheirs, 3)) / 2;
        // Meetings are two-way by nature: small ones add to the two-way volume.
        double twoWayVolume = Saturate(Math.Min(ws, wr) + f.WeightedMeetings, 4);
        double harmony = 0.3 * balance + 0.2 * (speedMine + speedTheirs) / 2 + 0.2 * answered + 0.3 * twoWayVolume;

        double span = 1 - Math.Exp(-e.SpanDays / o.DepthSpanScaleDays);
        double months = Math.Min(1, f.ActiveMonths / (double)o.DepthActiveMonthsFull);
        double experiences = Saturate(f.WeightedMeetingHours + 0.5 * f.SharedThreads, 6);
        double volume = Saturate(ws + wr, 30);
        // Depth is time invested by both sides: one-way history adds little.
        double twoWay = Math.Max(Math.Min(1, 2 * balance), Saturate(f.WeightedMeetings, 2));
        double depth = (0.3 * span + 0.25 * months + 0.3 * experiences + 0.15 * volume) * (0.2 + 0.8 * twoWay);

        double tau = Math.Max(o.RecencyMinDays, o.RecencyGapFactor * (e.UsualGapDays ?? o.RecencyMinDays));
        double recency = Math.Exp(-e.SilenceDays / tau);
        // Engagement (volume both ways and meetings) ranks which ties continue: checked on Enron, docs/evaluation.md.
        double engagement = Saturate(ws + wr + f.WeightedMeetings, 20);
        double strength = (0.3 * harmony + 0.3 * depth + 0.4 * engagement) * (0.4 + 0.6 * recency);
        return (Percent(harmony), Percent(depth), Percent(strength));
    }

    /// <summary>Weighted messages of the quieter side over the busier side: 1 is even, 0 is one-way.</summary>
    private static double Balance(CorrespondentFeatures f)
    {
        double more = Math.Max(f.WeightedSent, f.WeightedReceived);
        return more > 0 ? Math.Min(f.WeightedSent, f.WeightedReceived) / more : 0;
    }

    private static double Saturate(double x, double scale) => 1 - Math.Exp(-Math.Max(0, x) / scale);
    private static int Percent(double x) => (int)Math.Round(Math.Clamp(x, 0, 1) * 100);

    // ---- stage ----

    private Stage DecideStage(CorrespondentFeatures f, Evidence e, int depth, List<string> reasons)
    {
        double balance = Balance(f);

        bool Prompt(double maxHours) =>
            (e.MedianReplyHoursMine ?? double.MaxValue) <= maxHours && (e.MedianReplyHoursTheirs ?? double.MaxValue) <= maxHours;

        bool mailRapport = f.Sent >= o.RapportMinMessagesEachWay && f.Received >= o.RapportMinMessagesEachWay
            && f.RepliesMine >= o.RapportMinRepliesEachWay && f.RepliesTheirs >= o.RapportMinRepliesEachWay
            && balance >= o.RapportMinBalance && Prompt(o.RapportMaxMedianReplyHours);
        bool meetingRapport = f.SmallMeetings >= o.RapportMinSmallMeetings && f.Sent >= 1 && f.Received >= 1;

        bool mailExchange = f.Sent >= o.RelationshipMinMessagesEachWay && f.Received >= o.RelationshipMinMessagesEachWay
            && f.RepliesMine >= o.RelationshipMinRepliesEachWay && f.RepliesTheirs >= o.RelationshipMinRepliesEachWay
            && balance >= o.RapportMinBalance && Prompt(o.RelationshipMaxMedianReplyHours);
        bool meetingExchange = f.SmallMeetings >= o.RelationshipMinSmallMeetings && f.Sent >= 1 && f.Received >= 1;
        bool longEnough = e.SpanDays >= o.RelationshipMinSpanDays && f.ActiveMonths >= o.RelationshipMinActiveMonths;
        bool shared = f.Meetings >= o.RelationshipMinSharedMeetings || f.SharedThreads >= o.RelationshipMinSharedThreads;

        if ((mailExchange || meetingExchange) && longEnough && shared)
        {
            reasons.Add($"Relationship: a two-way exchange sustained over {Months(e.SpanDays)} ({e.ActiveMonths} active months) with shared experiences.");
            return Stage.Relationship;
        }
        if (mailRapport || meetingRapport || mailExchange || meetingExchange)
        {
            reasons.Add(mailRapport || mailExchange
                ? "Rapport: both of you write and both answer."
                : $"Rapport: {f.SmallMeetings} small meetings together and mail both ways.");
            var missing = new List<string>();
            if (!longEnough) missing.Add($"known {Months(e.SpanDays)} over {e.ActiveMonths} active months (a relationship needs {Months(o.RelationshipMinSpanDays)} and {o.RelationshipMinActiveMonths} months)");
            if (!shared) missing.Add($"few shared experiences ({e.SharedMeetings} meetings, {e.SharedThreads} shared threads)");
            if (!(mailExchange || meetingExchange)) missing.Add("not yet enough exchange for a relationship");
            if (missing.Count > 0) reasons.Add("Roots still shallow: " + string.Join("; ", missing) + ".");
            return Stage.Rapport;
        }

        var why = new List<string>();
        if (f.Sent == 0 && f.Received == 0) why.Add("known only from meetings");
        else if (f.Sent == 0) why.Add("you have never written to them");
        else if (f.Received == 0) why.Add("they have never written to you");
        else
        {
            if (Math.Min(f.Sent, f.Received) < o.RapportMinMessagesEachWay) why.Add($"only {Math.Min(f.Sent, f.Received)} message(s) one way");
            if (f.RepliesMine < o.RapportMinRepliesEachWay || f.RepliesTheirs < o.RapportMinRepliesEachWay) why.Add("not both of you have answered the other");
            else if (!Prompt(o.RapportMaxMedianReplyHours)) why.Add($"answers are slow (median over {o.RapportMaxMedianReplyHours.ToString(Inv)} h)");
            if (balance < o.RapportMinBalance) why.Add("the exchange is lopsided");
        }
        reasons.Add("Contact: no sustained two-way exchange yet" + (why.Count > 0 ? " (" + string.Join("; ", why) + ")." : "."));
        return Stage.Contact;
    }

    private Nurture DecideNurture(Evidence e, out double coolingAt, out double dormantAt)
    {
        double gap = e.UsualGapDays ?? 0;
        coolingAt = Math.Max(o.CoolingMinDays, o.CoolingFactor * gap);
        dormantAt = Math.Max(o.DormantMinDays, o.DormantFactor * gap);
        if (e.LastInteraction is null) return Nurture.Active;
        if (e.SilenceDays > dormantAt) return Nurture.Dormant;
        if (e.SilenceDays > coolingAt) return Nurture.Cooling;
        return Nurture.Active;
    }

    private static void AddEvidenceReasons(CorrespondentFeatures f, Evidence e, Nurture nurture, List<string> reasons)
    {
        if (f.Sent > 0 && f.Received > 0) reasons.Add($"Mail both ways: {f.Sent} sent, {f.Received} received.");
        else if (f.Received > 0) reasons.Add($"One-way: {f.Received} received from them, none sent.");
        else if (f.Sent > 0) reasons.Add($"One-way: {f.Sent} sent by you, no answer.");
        if (e.MedianReplyHoursMine is { } m && e.MedianReplyHoursTheirs is { } t)
            reasons.Add($"Median reply: you {Hours(m)}, they {Hours(t)}.");
        if (e.SharedMeetings > 0)
            reasons.Add($"{e.SharedMeetings} shared meeting(s), {e.MeetingHours.ToString("0.#", Inv)} h.");
        if (nurture != Nurture.Active)
            reasons.Add($"{(nurture == Nurture.Cooling ? "Cooling" : "Dormant")}: quiet for {Days(e.SilenceDays)}" +
                (e.UsualGapDays is { } g ? $", usually every {Days(g)}." : "."));
    }

    private static string NextStep(Stage stage, Nurture nurture, ContactFlags flags, CorrespondentFeatures f, Evidence e, double coolingAt)
    {
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
            Stage.Rapport when e.SharedMeetings == 0 => "A first meeting would deepen this.",
            Stage.Rapport => "Keep it going over the coming months: time and shared work turn rapport into a relationship.",
            _ when flags.HasFlag(ContactFlags.OneWayInbound) => "Answer when it matters to you: a reply would open a two-way exchange.",
            _ when flags.HasFlag(ContactFlags.OneWayOutbound) => "They have not written back yet: a short follow-up or a call may open the exchange.",
            _ when flags.HasFlag(ContactFlags.MeetingsOnly) => "Follow up a meeting by mail to start an exchange.",
            _ when f.RepliesMine == 0 && f.Received > 0 => "Answer their last message: rapport starts when both sides reply.",
            _ => "Keep the exchange going: a few prompt answers each way build rapport.",
        };
    }

    private static string Months(double days) => days < 60 ? $"{Math.Round(days)} days" : $"{Math.Round(days / 30.44)} months";
    private static string Days(double days) => days < 1 ? "under a day" : days < 60 ? $"{Math.Round(days)} days" : $"{Math.Round(days / 30.44)} months";
    private static string Hours(double hours) => hours < 48 ? $"{hours.ToString("0.#", Inv)} h" : $"{(hours / 24).ToString("0.#", Inv)} days";
}
