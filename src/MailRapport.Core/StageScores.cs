namespace MailRapport.Core;

/// <summary>Harmony, depth and strength of a tie (docs/stage-model.md), every weight from <see cref="StageModelOptions"/>.</summary>
internal sealed class StageScores(StageModelOptions o)
{
    public (int Harmony, int Depth, double Strength) Compute(CorrespondentFeatures f, Evidence e, EvidenceWindow w)
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
}
