namespace MailRapport.Core;

/// <summary>
/// One test the stage rules apply, with the number measured and the number required. Reasons and next steps are
/// rendered from these, so what the pane says is what decided the stage.
/// </summary>
public sealed record Criterion(string Name, bool Met, double Value, double Required, string Detail);

/// <summary>The names of the criteria, one per part of the stage definitions (docs/stage-model.md).</summary>
public static class Criteria
{
    /// <summary>Rapport, "both write": messages each way over the months the mailbox holds both directions.</summary>
    public const string BothWrite = "both-write";
    /// <summary>Rapport, "not one side doing most of the writing": weighted balance over the same months.</summary>
    public const string Balanced = "balanced";
    /// <summary>Rapport, "both answer": replies each way (a meeting counts), shared threads, or writing back and forth in the same months.</summary>
    public const string BothAnswer = "both-answer";
    /// <summary>Rapport, "some responsiveness": median reply time each way, judged only with enough replies each way.</summary>
    public const string Responsive = "responsive";
    /// <summary>Rapport by meetings: small meetings together and mail both ways.</summary>
    public const string MetInPerson = "met-in-person";
    /// <summary>Relationship, "sustained over many months": span and active months.</summary>
    public const string Sustained = "sustained";
    /// <summary>Relationship, "shared experiences": threads both wrote in, and meetings.</summary>
    public const string SharedExperiences = "shared-experiences";
    /// <summary>Relationship, "reciprocal, invested": enough exchange each way (or many small meetings).</summary>
    public const string Reciprocal = "reciprocal";
}

/// <summary>The months over which balance and replies were measured: those where the mailbox holds both directions.</summary>
public sealed record EvidenceWindow
{
    /// <summary>First day of the first month measured (null when the mailbox holds no such month during the tie).</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>First day after the last month measured.</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>Months measured: the tie's months (first contact to the profile's instant) where both directions are stored.</summary>
    public int Months { get; init; }
    /// <summary>True when every month of the tie's history with mail in it is measured.</summary>
    public bool WholeHistory { get; init; }
    public int MessagesSent { get; init; }
    public int MessagesReceived { get; init; }
    /// <summary>Weighted messages of the quieter side over the busier side, over the window: 1 is even, 0 is one-way.</summary>
    public double Balance { get; init; }
    /// <summary>Messages exchanged back and forth: per month, the smaller of sent and received, added up.</summary>
    public int BackAndForth { get; init; }
}

/// <summary>The stage and every criterion behind it.</summary>
public sealed record StageDecision
{
    public required Stage Stage { get; init; }
    /// <summary>The criteria for Rapport (each must be met, unless the meeting route holds).</summary>
    public required IReadOnlyList<Criterion> Rapport { get; init; }
    /// <summary>The criteria for Relationship, on top of Rapport.</summary>
    public required IReadOnlyList<Criterion> Relationship { get; init; }
    public required EvidenceWindow Window { get; init; }

    public IEnumerable<Criterion> Missing(Stage stage) => (stage == Stage.Relationship ? Relationship : Rapport).Where(IsMissing);

    /// <summary>An unmet criterion that counts: the meeting route is an alternative, never missing.</summary>
    internal static bool IsMissing(Criterion c) => !c.Met && c.Name != Criteria.MetInPerson;
}
