namespace MailRapport.Core;

/// <summary>The user's answer to "Is this right?" on a card.</summary>
public enum FeedbackAnswer
{
    /// <summary>The stage shown is right.</summary>
    Right = 0,
    /// <summary>The tie is closer than the stage shown.</summary>
    Closer = 1,
    /// <summary>The tie is less than the stage shown.</summary>
    Less = 2,
    /// <summary>Not a person (a mailer, a list, a shared mailbox): acts as the automated-sender override.</summary>
    NotAPerson = 3,
}

/// <summary>Whether a stage agrees with what the user answered about the stage they were shown.</summary>
public static class StageFeedback
{
    /// <summary>
    /// Agreement of a stage (and the automated flag) with an answer given about <paramref name="shownStage"/>:
    /// "right" agrees with the same stage, "closer" with a closer one, "less" with a lesser one, "not a person" with an
    /// automated sender. A person's stage never agrees with "not a person", nor an automated sender with "right" unless
    /// it was shown as automated.
    /// </summary>
    public static bool Agrees(FeedbackAnswer answer, Stage shownStage, bool shownAutomated, Stage stage, bool automated) => answer switch
    {
        FeedbackAnswer.NotAPerson => automated,
        FeedbackAnswer.Right => automated == shownAutomated && (automated || stage == shownStage),
        FeedbackAnswer.Closer => !automated && (shownAutomated || stage > shownStage),
        FeedbackAnswer.Less => !automated && !shownAutomated && stage < shownStage,
        _ => false,
    };
}
