namespace MailRapport.Core;

/// <summary>Direction of a message relative to the mailbox owner.</summary>
public enum Direction
{
    /// <summary>Written by someone else and received by the owner.</summary>
    Incoming = 0,
    /// <summary>Written by the owner.</summary>
    Outgoing = 1,
}

/// <summary>How a counterpart appears on a message.</summary>
public enum RecipientRole
{
    To = 0,
    Cc = 1,
    Bcc = 2,
    From = 3,
}

/// <summary>Automation markers a source can report for a message (headers or equivalent Graph properties).</summary>
[Flags]
public enum AutomationMarkers
{
    None = 0,
    /// <summary>List-Id header present.</summary>
    ListId = 1,
    /// <summary>List-Unsubscribe header (or Graph's unsubscribeEnabled).</summary>
    ListUnsubscribe = 2,
    /// <summary>Precedence: bulk, list or junk.</summary>
    PrecedenceBulk = 4,
    /// <summary>Auto-Submitted other than "no".</summary>
    AutoSubmitted = 8,
    /// <summary>Classified as bulk by the source (for example Graph's inferenceClassification "other" does not count; this is an explicit bulk marker).</summary>
    Bulk = 16,
}

/// <summary>A person on a message, with the role they had on it. Address is normalised.</summary>
public readonly record struct Counterpart(string Address, string? DisplayName, RecipientRole Role);

/// <summary>
/// One message, metadata only. Counterparts are everyone on the message except the owner:
/// for an incoming message the sender (role From) and the other recipients; for an outgoing one its recipients.
/// </summary>
public sealed record MessageInteraction
{
    /// <summary>Stable key: the normalised internet message id, or a source-derived key when there is none.</summary>
    public required string Key { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required Direction Direction { get; init; }
    /// <summary>Normalised sender address (the owner's address for outgoing mail).</summary>
    public required string From { get; init; }
    public string? FromDisplayName { get; init; }
    public required IReadOnlyList<Counterpart> Counterparts { get; init; }
    /// <summary>Number of addresses in To + Cc + Bcc, the owner included: the size of the recipient list.</summary>
    public required int RecipientCount { get; init; }
    /// <summary>Whether the owner was a direct (To) recipient of an incoming message; ignored for outgoing mail.</summary>
    public RecipientRole OwnerRole { get; init; } = RecipientRole.To;
    public string? ConversationId { get; init; }
    /// <summary>True when the source says this message answers an earlier one (In-Reply-To, References, "RE:").</summary>
    public bool IsReply { get; init; }
    public AutomationMarkers Markers { get; init; }
}

public enum AttendeeKind
{
    Required = 0,
    Optional = 1,
    /// <summary>Rooms and equipment: not people.</summary>
    Resource = 2,
}

public enum AttendeeResponse
{
    None = 0,
    Organizer = 1,
    Accepted = 2,
    TentativelyAccepted = 3,
    Declined = 4,
    NotResponded = 5,
}

public readonly record struct Attendee(string Address, string? DisplayName, AttendeeKind Kind, AttendeeResponse Response);

/// <summary>One meeting occurrence, metadata only.</summary>
public sealed record MeetingInteraction
{
    public required string Key { get; init; }
    public required string Organizer { get; init; }
    public string? OrganizerDisplayName { get; init; }
    /// <summary>Attendees other than the organizer (the owner may be among them).</summary>
    public required IReadOnlyList<Attendee> Attendees { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }
    public bool IsCancelled { get; init; }
    public bool IsRecurring { get; init; }
    /// <summary>The owner's own response; Declined meetings are not shared experiences.</summary>
    public AttendeeResponse OwnerResponse { get; init; } = AttendeeResponse.Accepted;

    public double Hours => Math.Max(0, (End - Start).TotalHours);
}

/// <summary>A message or a meeting, for streams that carry both in time order.</summary>
public readonly record struct Interaction
{
    public MessageInteraction? Message { get; private init; }
    public MeetingInteraction? Meeting { get; private init; }
    public DateTimeOffset Timestamp => Message?.Timestamp ?? Meeting!.Start;

    public static implicit operator Interaction(MessageInteraction message) => new() { Message = message };
    public static implicit operator Interaction(MeetingInteraction meeting) => new() { Meeting = meeting };
}
