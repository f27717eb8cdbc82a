using System.Globalization;
using static MailRapport.Core.DurationText;

namespace MailRapport.Core;

/// <summary>Turns one correspondent's features into a stage, nurture status, scores, reasons and a next step.</summary>
internal sealed class StageClassifier(StageModelOptions o)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public ContactProfile Classify(CorrespondentFeatures f, DateTimeOffset asOf, bool? automatedOverride, MailboxCoverage coverage)
    {
        var evidence = BuildEvidence(f, asOf);
        var window = Window(f, asOf, coverage);
        var automatedReason = AutomatedReason(f, automatedOverride);
        bool automated = automatedReason is not null;

        var flags = ContactFlags.None;
        if (automated) flags |= ContactFlags.Automated;
        if (!window.WholeHistory && (f.Sent > 0 || f.Received > 0)) flags |= ContactFlags.PartialHistory;
        if (f.Sent == 0 && f.Received == 0) flags |= ContactFlags.MeetingsOnly;
        // One-way only where the other direction could have been seen.
        else if (f.Meetings == 0 && f.Sent == 0 && SeenWhere(f, coverage, sentStored: true)) flags |= ContactFlags.OneWayInbound;
        else if (f.Meetings == 0 && f.Received == 0 && SeenWhere(f, coverage, sentStored: false)) flags |= ContactFlags.OneWayOutbound;

        var (harmony, depth, strength) = Scores(f, evidence, window);
        if (automated) strength = 0;

        var decision = Decide(f, evidence, window, automated);
        var nurture = DecideNurture(evidence, out var coolingAt, out _);
        var reasons = new List<string>();
        if (automated) reasons.Add("Automated sender: " + automatedReason);
        else reasons.AddRange(StageReasons(decision, f, evidence, coverage));
        AddEvidenceReasons(f, evidence, nurture, flags, reasons);

        return new ContactProfile
        {
            Address = f.Address,
            DisplayName = f.DisplayName,
            Stage = decision.Stage,
            Nurture = nurture,
            Flags = flags,
            Harmony = harmony,
            Depth = depth,
            Strength = strength,
            Evidence = evidence,
            Decision = decision,
            Reasons = reasons,
            NextStep = NextStep(decision, nurture, flags, f, evidence, coolingAt),
            AutomatedReason = automatedReason,
            AsOf = asOf,
            Timeline = f.Timeline.Select(b =>
            {
                var (year, month) = MonthIndex.YearMonth(b.MonthIndex);
                return new MonthActivity(year, month, b.Sent, b.Received, b.Meetings);
            }).ToList(),
        };
    }

    /// <summary>
    /// The months balance and replies are measured over: from the tie's first month to <paramref name="asOf"/>, those
    /// where the mailbox holds both received and sent mail.
    /// </summary>
    private static EvidenceWindow Window(CorrespondentFeatures f, DateTimeOffset asOf, MailboxCoverage coverage)
    {
        if (f.Timeline.Count == 0) return new EvidenceWindow { WholeHistory = true };
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
    private static bool SeenWhere(CorrespondentFeatures f, MailboxCoverage coverage, bool sentStored)
    {
        foreach (var b in f.Timeline)
            if ((sentStored ? b.Received > 0 && coverage.SentStoredIn(b.MonthIndex) : b.Sent > 0 && coverage.ReceivedStoredIn(b.MonthIndex)))
                return true;
        return false;
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

    private (int Harmony, int Depth, double Strength) Scores(CorrespondentFeatures f, Evidence e, EvidenceWindow w)
    {
        double ws = f.WeightedSent, wr = f.WeightedReceived;
        double balance = w.Balance;
        double speedMine = e.MedianReplyHoursMine is { } hm ? Math.Exp(-hm / o.ReplySpeedScaleHours) : 0;
        double speedTheirs = e.MedianReplyHoursTheirs is { } ht ? Math.Exp(-ht / o.ReplySpeedScaleHours) : 0;
        double answered = (Saturate(f.RepliesMine, o.HarmonyAnswersScale) + Saturate(f.RepliesTheirs, o.HarmonyAnswersScale)) / 2;
        // Meetings are two-way by nature: small ones add to the two-way volume.
        double twoWayVolume = Saturate(Math.Min(ws, wr) + f.WeightedMeetings, o.HarmonyTwoWayVolumeScale);
        double harmony = o.HarmonyBalanceWeight * balance + o.HarmonySpeedWeight * (speedMine + speedTheirs) / 2 + o.HarmonyAnswersWeight * answered
            + o.HarmonyTwoWayVolumeWeight * twoWayVolume;

        double span = 1 - Math.Exp(-e.SpanDays / o.DepthSpanScaleDays);
        double months = Math.Min(1, f.ActiveMonths / (double)o.DepthActiveMonthsFull);
        double experiences = Saturate(f.WeightedMeetingHours + o.DepthThreadHours * f.SharedThreads, o.DepthExperiencesScale);
        double volume = Saturate(ws + wr, o.DepthVolumeScale);
        // Depth is time invested by both sides: one-way history adds little.
        double twoWay = Math.Max(Math.Min(1, o.DepthTwoWayBalanceFactor * balance), Saturate(f.WeightedMeetings, o.DepthTwoWayMeetingsScale));
        double depth = (o.DepthSpanWeight * span + o.DepthMonthsWeight * months + o.DepthExperiencesWeight * experiences + o.DepthVolumeWeight * volume)
            * (o.DepthOneWayShare + o.DepthTwoWayShare * twoWay);

        double tau = Math.Max(o.RecencyMinDays, o.RecencyGapFactor * (e.UsualGapDays ?? o.RecencyMinDays));
        double recency = Math.Exp(-e.SilenceDays / tau);
        // Engagement (volume both ways and meetings) ranks which ties continue; two-way volume adds what one-way mail
        // cannot show. Where the tie reaches outside the months the mailbox holds both ways, only those months count:
        // elsewhere one side's mail is missing, and my side alone would outweigh theirs. Weights checked on Enron
        // (docs/evaluation.md), all in StageModelOptions.
        double engagement = Saturate(ws + wr + f.WeightedMeetings, o.StrengthEngagementScale);
        if (w.Months > 0 && !w.WholeHistory)
        {
            // A window of one month says little: it is trusted in proportion to its length, fully from a few months.
            double inWindow = Saturate(w.MessagesSent + w.MessagesReceived + f.WeightedMeetings, o.StrengthWindowEngagementScale);
            double trust = Math.Min(1, w.Months / o.StrengthWindowFullMonths);
            engagement = trust * inWindow + (1 - trust) * engagement;
        }
        double twoWayMessages = Saturate(Math.Min(f.Sent, f.Received), o.StrengthTwoWayMessagesScale);
        double strength = (o.StrengthHarmonyWeight * harmony + o.StrengthDepthWeight * depth + o.StrengthEngagementWeight * engagement
            + o.StrengthTwoWayWeight * twoWayMessages) * (o.StrengthRecencyFloor + (1 - o.StrengthRecencyFloor) * recency);
        return (Percent(harmony), Percent(depth), Math.Round(Math.Clamp(strength, 0, 1) * 100, 1));
    }

    private static double Saturate(double x, double scale) => 1 - Math.Exp(-Math.Max(0, x) / scale);
    private static int Percent(double x) => (int)Math.Round(Math.Clamp(x, 0, 1) * 100);

    // ---- stage ----

    private StageDecision Decide(CorrespondentFeatures f, Evidence e, EvidenceWindow w, bool automated)
    {
        var rapport = new List<Criterion>();
        int eachWay = Math.Min(w.MessagesSent, w.MessagesReceived);
        rapport.Add(new Criterion(Criteria.BothWrite, eachWay >= o.RapportMinMessagesEachWay, eachWay, o.RapportMinMessagesEachWay,
            $"{w.MessagesSent} sent and {w.MessagesReceived} received over the months measured"));
        rapport.Add(new Criterion(Criteria.Balanced, w.Balance >= o.RapportMinBalance, w.Balance, o.RapportMinBalance,
            $"the quieter side writes {w.Balance.ToString("0.##", Inv)} of what the busier side writes"));

        bool repliesEachWay = f.RepliesMine >= 1 && f.RepliesTheirs >= 1 && f.RepliesMine + f.RepliesTheirs >= o.RapportMinReplies;
        bool threads = f.SharedThreads >= o.RapportMinSharedThreads;
        bool backAndForth = w.BackAndForth >= o.RapportMinBackAndForth;
        double answerValue = repliesEachWay ? f.RepliesMine + f.RepliesTheirs : threads ? f.SharedThreads : w.BackAndForth;
        rapport.Add(new Criterion(Criteria.BothAnswer, repliesEachWay || threads || backAndForth, answerValue,
            repliesEachWay ? o.RapportMinReplies : threads ? o.RapportMinSharedThreads : o.RapportMinBackAndForth,
            $"answers: yours {f.RepliesMine}, theirs {f.RepliesTheirs}; {f.SharedThreads} thread(s) both wrote in; {w.BackAndForth} message(s) back and forth"));
        rapport.Add(Responsiveness(f, e, o.RapportMaxMedianReplyHours));
        bool meetingRoute = f.SmallMeetings >= o.RapportMinSmallMeetings && f.Sent >= 1 && f.Received >= 1;
        rapport.Add(new Criterion(Criteria.MetInPerson, meetingRoute, f.SmallMeetings, o.RapportMinSmallMeetings,
            $"{f.SmallMeetings} small meeting(s) together, mail both ways: {(f.Sent >= 1 && f.Received >= 1 ? "yes" : "no")}"));
        bool isRapport = !automated && (meetingRoute || !rapport.Any(StageDecision.IsMissing));

        var relationship = new List<Criterion>();
        bool longEnough = e.SpanDays >= o.RelationshipMinSpanDays && f.ActiveMonths >= o.RelationshipMinActiveMonths;
        relationship.Add(new Criterion(Criteria.Sustained, longEnough, f.ActiveMonths, o.RelationshipMinActiveMonths,
            $"in touch over {Months(e.SpanDays)} in {f.ActiveMonths} active months (needs {Months(o.RelationshipMinSpanDays)} and {o.RelationshipMinActiveMonths} months)"));
        int experiences = f.SharedThreads + f.Meetings;
        relationship.Add(new Criterion(Criteria.SharedExperiences, experiences >= o.RelationshipMinSharedExperiences, experiences,
            o.RelationshipMinSharedExperiences, $"{f.SharedThreads} thread(s) both wrote in and {f.Meetings} meeting(s)"));
        bool reciprocal = eachWay >= o.RelationshipMinMessagesEachWay || (f.SmallMeetings >= o.RelationshipMinSmallMeetings && f.Sent >= 1 && f.Received >= 1);
        relationship.Add(new Criterion(Criteria.Reciprocal, reciprocal, eachWay, o.RelationshipMinMessagesEachWay,
            $"{eachWay} message(s) each way over the months measured, {f.SmallMeetings} small meeting(s)"));
        var slow = Responsiveness(f, e, o.RelationshipMaxMedianReplyHours);
        relationship.Add(slow);
        bool isRelationship = isRapport && relationship.All(c => c.Met);

        return new StageDecision
        {
            Stage = isRelationship ? Stage.Relationship : isRapport ? Stage.Rapport : Stage.Contact,
            Rapport = rapport,
            Relationship = relationship,
            Window = w,
        };
    }

    /// <summary>Median reply time each way, judged only when both sides have answered often enough.</summary>
    private Criterion Responsiveness(CorrespondentFeatures f, Evidence e, double maxHours)
    {
        int samples = Math.Min(f.ReplyHoursMine?.Count ?? 0, f.ReplyHoursTheirs?.Count ?? 0);
        if (samples < o.ReplySpeedMinSamples)
            return new Criterion(Criteria.Responsive, true, samples, o.ReplySpeedMinSamples,
                $"reply speed not judged: {f.ReplyHoursMine?.Count ?? 0} timed answer(s) from you, {f.ReplyHoursTheirs?.Count ?? 0} from them (needs {o.ReplySpeedMinSamples} each way)");
        double slower = Math.Max(e.MedianReplyHoursMine ?? 0, e.MedianReplyHoursTheirs ?? 0);
        return new Criterion(Criteria.Responsive, slower <= maxHours, slower, maxHours,
            $"median reply: you {Hours(e.MedianReplyHoursMine ?? 0)}, they {Hours(e.MedianReplyHoursTheirs ?? 0)}");
    }

    /// <summary>The plain reasons for the stage, rendered from the decision's criteria.</summary>
    private static IEnumerable<string> StageReasons(StageDecision d, CorrespondentFeatures f, Evidence e, MailboxCoverage coverage)
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

    private static void AddEvidenceReasons(CorrespondentFeatures f, Evidence e, Nurture nurture, ContactFlags flags, List<string> reasons)
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

    private static string NextStep(StageDecision d, Nurture nurture, ContactFlags flags, CorrespondentFeatures f, Evidence e, double coolingAt)
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
