using System.Globalization;
using static MailRapport.Core.DurationText;

namespace MailRapport.Core;

/// <summary>The stage from its criteria: Rapport's and Relationship's, each with its numbers and threshold.</summary>
internal sealed class StageDecider(StageModelOptions o)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public StageDecision Decide(CorrespondentFeatures f, Evidence e, EvidenceWindow w, bool automated)
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
}
