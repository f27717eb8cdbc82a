namespace MailRapport.Core;

/// <summary>Turns one correspondent's features into a stage, nurture status, scores, reasons and a next step.</summary>
/// <remarks>
/// The parts, each in its own file: <see cref="FeatureEvidence"/> (evidence and the months measured),
/// <see cref="StageScores"/> (harmony, depth, strength), <see cref="StageDecider"/> (the criteria and the stage),
/// <see cref="ProfileWording"/> (reasons and the next step). Automated senders and nurture are decided here.
/// </remarks>
internal sealed class StageClassifier(StageModelOptions o)
{
    private readonly StageScores _scores = new(o);
    private readonly StageDecider _decider = new(o);

    public ContactProfile Classify(CorrespondentFeatures f, DateTimeOffset asOf, bool? automatedOverride, MailboxCoverage coverage)
    {
        var evidence = FeatureEvidence.Evidence(f, asOf);
        var window = FeatureEvidence.Window(f, asOf, coverage);
        var automatedReason = AutomatedReason(f, automatedOverride);
        bool automated = automatedReason is not null;

        var flags = ContactFlags.None;
        if (automated) flags |= ContactFlags.Automated;
        if (!window.WholeHistory && (f.Sent > 0 || f.Received > 0)) flags |= ContactFlags.PartialHistory;
        if (f.Sent == 0 && f.Received == 0) flags |= ContactFlags.MeetingsOnly;
        // One-way only where the other direction could have been seen.
        else if (f.Meetings == 0 && f.Sent == 0 && FeatureEvidence.SeenWhere(f, coverage, sentStored: true)) flags |= ContactFlags.OneWayInbound;
        else if (f.Meetings == 0 && f.Received == 0 && FeatureEvidence.SeenWhere(f, coverage, sentStored: false)) flags |= ContactFlags.OneWayOutbound;

        var (harmony, depth, strength) = _scores.Compute(f, evidence, window);
        if (automated) strength = 0;

        var decision = _decider.Decide(f, evidence, window, automated);
        var nurture = DecideNurture(evidence, out var coolingAt, out _);
        var reasons = new List<string>();
        if (automated) reasons.Add("Automated sender: " + automatedReason);
        else reasons.AddRange(ProfileWording.StageReasons(decision, f, evidence, coverage));
        ProfileWording.AddEvidenceReasons(f, evidence, nurture, flags, reasons);

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
            NextStep = ProfileWording.NextStep(decision, nurture, flags, f, evidence, coolingAt),
            AutomatedReason = automatedReason,
            AsOf = asOf,
            Timeline = Timeline(f.Timeline),
        };
    }

    private static List<MonthActivity> Timeline(ReadOnlySpan<CorrespondentFeatures.MonthBucket> buckets)
    {
        var timeline = new List<MonthActivity>(buckets.Length);
        foreach (var b in buckets)
        {
            var (year, month) = MonthIndex.YearMonth(b.MonthIndex);
            timeline.Add(new MonthActivity(year, month, b.Sent, b.Received, b.Meetings));
        }
        return timeline;
    }

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
}
