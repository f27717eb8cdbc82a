namespace MailRapport.Core.Sample;

/// <summary>A generated correspondent and what the model is meant to find for them (ExpectedNurture null: not asserted).</summary>
public sealed record SamplePersona(string Address, string DisplayName, string Kind, Stage ExpectedStage, Nurture? ExpectedNurture, bool ExpectedAutomated);

/// <summary>A deterministic synthetic mailbox: the owner's mail and calendar, metadata only.</summary>
public sealed record SampleMailbox(
    string OwnerAddress,
    string OwnerDisplayName,
    DateTimeOffset End,
    IReadOnlyList<MessageInteraction> Messages,
    IReadOnlyList<MeetingInteraction> Meetings,
    IReadOnlyList<SamplePersona> Personas)
{
    /// <summary>Subject line to show for a message in sources that need one (the store keeps no subjects).</summary>
    public static string SubjectFor(MessageInteraction message) =>
        (message.IsReply ? "RE: " : "") + "Thread " + (message.ConversationId ?? message.Key);
}

public sealed record SampleOptions
{
    public int Seed { get; init; } = 7;
    /// <summary>The instant the history ends (exclusive); the sample covers about two years before it.</summary>
    public DateTimeOffset End { get; init; } = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    /// <summary>How many correspondents to generate (a few hundred by default; benchmarks ask for more).</summary>
    public int Correspondents { get; init; } = 300;
    /// <summary>
    /// Received mail is kept this many months before <see cref="End"/> (a retention policy on the inbox, as real
    /// mailboxes have); sent mail is kept for the whole history. Null keeps everything.
    /// </summary>
    public int? ReceivedKeptMonths { get; init; } = 15;
}
