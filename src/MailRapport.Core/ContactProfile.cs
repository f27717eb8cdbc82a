namespace MailRapport.Core;

/// <summary>The stage of a professional tie.</summary>
public enum Stage
{
    /// <summary>You know each other, but there is no sustained two-way exchange yet.</summary>
    Contact = 0,
    /// <summary>Real two-way harmony, shallow roots.</summary>
    Rapport = 1,
    /// <summary>Reciprocal exchange over many months with shared experiences.</summary>
    Relationship = 2,
}

/// <summary>Whether a tie is being kept up, measured against its own usual rhythm.</summary>
public enum Nurture
{
    Active = 0,
    Cooling = 1,
    Dormant = 2,
}

[Flags]
public enum ContactFlags
{
    None = 0,
    /// <summary>They write, the owner never does.</summary>
    OneWayInbound = 1,
    /// <summary>The owner writes, they never do.</summary>
    OneWayOutbound = 2,
    /// <summary>No-reply, list or bulk sender: kept out of stages by default.</summary>
    Automated = 4,
    /// <summary>Known only from meetings.</summary>
    MeetingsOnly = 8,
    /// <summary>
    /// The mailbox does not hold both received and sent mail for part of this tie's history (retention, clean-ups,
    /// folders not read): balance and replies are measured over the rest only.
    /// </summary>
    PartialHistory = 16,
}

/// <summary>Plain counts behind a stage. Weighting belongs in the scores, not here.</summary>
public sealed record Evidence
{
    /// <summary>Distinct messages from the owner with the contact in To, Cc or Bcc.</summary>
    public int MessagesSent { get; init; }
    /// <summary>Distinct messages whose sender is the contact.</summary>
    public int MessagesReceived { get; init; }
    /// <summary>Conversations in which both the owner and the contact wrote.</summary>
    public int SharedThreads { get; init; }
    /// <summary>Meetings (not cancelled, not declined) with the contact as organizer or person attendee.</summary>
    public int SharedMeetings { get; init; }
    /// <summary>Hours of those meetings, unweighted.</summary>
    public double MeetingHours { get; init; }
    public DateTimeOffset? FirstInteraction { get; init; }
    public DateTimeOffset? LastInteraction { get; init; }
    /// <summary>Median hours the owner took to answer this contact (null when never).</summary>
    public double? MedianReplyHoursMine { get; init; }
    /// <summary>Median hours this contact took to answer the owner (null when never).</summary>
    public double? MedianReplyHoursTheirs { get; init; }
    /// <summary>Answers each way: replies in a thread within the reply window, and meetings that followed an unanswered message.</summary>
    public int RepliesMine { get; init; }
    public int RepliesTheirs { get; init; }
    /// <summary>Of those answers, the ones given by meeting.</summary>
    public int AnsweredByMeetingMine { get; init; }
    public int AnsweredByMeetingTheirs { get; init; }
    public int ActiveMonths { get; init; }
    public double SpanDays { get; init; }
    /// <summary>The tie's usual gap: upper quartile of the gaps between days with an interaction (null with fewer than two such days).</summary>
    public double? UsualGapDays { get; init; }
    /// <summary>Days since the last interaction, as of the profile's instant.</summary>
    public double SilenceDays { get; init; }
    public DateTimeOffset? LastSent { get; init; }
    public DateTimeOffset? LastReceived { get; init; }
}

/// <summary>Messages and meetings in one calendar month (UTC).</summary>
public sealed record MonthActivity(int Year, int Month, int Sent, int Received, int Meetings);

/// <summary>One correspondent as the model sees them at an instant.</summary>
public sealed record ContactProfile
{
    public required string Address { get; init; }
    public string? DisplayName { get; init; }
    public required Stage Stage { get; init; }
    public required Nurture Nurture { get; init; }
    public ContactFlags Flags { get; init; }
    /// <summary>0–100: two-way, responsive, balanced.</summary>
    public required int Harmony { get; init; }
    /// <summary>0–100: time invested, shared experiences, sustained months.</summary>
    public required int Depth { get; init; }
    /// <summary>0–100, one decimal: one number to rank ties (the decimal keeps close ties apart; show it rounded).</summary>
    public required double Strength { get; init; }
    public required Evidence Evidence { get; init; }
    public required IReadOnlyList<string> Reasons { get; init; }
    public required string NextStep { get; init; }
    /// <summary>Every criterion behind the stage, with its numbers, and the window balance and replies were measured over.</summary>
    public StageDecision? Decision { get; init; }
    /// <summary>Why the address counts as automated, when it does.</summary>
    public string? AutomatedReason { get; init; }
    public required DateTimeOffset AsOf { get; init; }
    public IReadOnlyList<MonthActivity> Timeline { get; init; } = [];
    /// <summary>Threads whose last message is theirs, unanswered longer than you usually take to answer them.</summary>
    public WaitingThreads WaitingOnYou { get; init; } = WaitingThreads.None;
    /// <summary>Threads whose last message is yours, unanswered longer than they usually take to answer you.</summary>
    public WaitingThreads WaitingOnThem { get; init; } = WaitingThreads.None;
    /// <summary>When contact is next due by the tie's own rhythm, and how far past it the tie is.</summary>
    public ContactRhythm NextContact { get; init; } = ContactRhythm.None;
    /// <summary>Recent reply times against earlier ones, each way (flagged only with enough samples).</summary>
    public ReplyDrift ReplyDrift { get; init; } = ReplyDrift.None;
}
