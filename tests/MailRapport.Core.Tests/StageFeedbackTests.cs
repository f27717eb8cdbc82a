namespace MailRapport.Core.Tests;

/// <summary>When a stage agrees with the user's answer to "Is this right?" about the stage they were shown.</summary>
public sealed class StageFeedbackTests
{
    public static TheoryData<FeedbackAnswer, Stage, bool, Stage, bool, bool> Cases => new()
    {
        // answer, shown stage, shown automated, stage now, automated now, agrees
        { FeedbackAnswer.Right, Stage.Rapport, false, Stage.Rapport, false, true },
        { FeedbackAnswer.Right, Stage.Rapport, false, Stage.Relationship, false, false },
        { FeedbackAnswer.Right, Stage.Contact, true, Stage.Contact, true, true },
        { FeedbackAnswer.Right, Stage.Contact, false, Stage.Contact, true, false },
        { FeedbackAnswer.Closer, Stage.Rapport, false, Stage.Rapport, false, false },
        { FeedbackAnswer.Closer, Stage.Rapport, false, Stage.Relationship, false, true },
        { FeedbackAnswer.Closer, Stage.Contact, true, Stage.Contact, false, true },
        { FeedbackAnswer.Less, Stage.Relationship, false, Stage.Rapport, false, true },
        { FeedbackAnswer.Less, Stage.Contact, false, Stage.Contact, false, false },
        { FeedbackAnswer.Less, Stage.Rapport, false, Stage.Contact, true, false },
        { FeedbackAnswer.NotAPerson, Stage.Rapport, false, Stage.Contact, true, true },
        { FeedbackAnswer.NotAPerson, Stage.Rapport, false, Stage.Rapport, false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Agreement(FeedbackAnswer answer, Stage shown, bool shownAutomated, Stage now, bool automatedNow, bool agrees) =>
        Assert.Equal(agrees, StageFeedback.Agrees(answer, shown, shownAutomated, now, automatedNow));
}
