using System.Text.Json;
using System.Text.Json.Serialization;
using MailRapport.Core;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Api;

/// <summary>
/// One contact as the API answers it (GET /api/contacts/{address}, and each item of a page). The pane reads exactly
/// these names. Mapped from the stored document by <see cref="ContactMapping"/>: a new field is one property here and
/// one line there (the compiler asks for both, every member being required).
/// </summary>
public sealed record ContactResponse
{
    public required string Address { get; init; }
    public required string? DisplayName { get; init; }
    [JsonConverter(typeof(CamelCaseEnumConverter<Stage>))]
    public required Stage Stage { get; init; }
    [JsonConverter(typeof(CamelCaseEnumConverter<Nurture>))]
    public required Nurture Nurture { get; init; }
    /// <summary>Set flags by name: oneWayInbound, oneWayOutbound, automated, meetingsOnly, partialHistory.</summary>
    public required IReadOnlyList<string> Flags { get; init; }
    public required int Harmony { get; init; }
    public required int Depth { get; init; }
    public required double Strength { get; init; }
    public required EvidenceResponse Evidence { get; init; }
    public required IReadOnlyList<string> Reasons { get; init; }
    public required string NextStep { get; init; }
    public required DecisionResponse? Decision { get; init; }
    public required string? AutomatedReason { get; init; }
    public required DateTimeOffset AsOf { get; init; }
    public required IReadOnlyList<MonthActivityResponse> Timeline { get; init; }
    /// <summary>Threads waiting on the user's answer, and on theirs; the next expected contact by the tie's rhythm; reply-time drift.</summary>
    public required WaitingThreadsResponse WaitingOnYou { get; init; }
    public required WaitingThreadsResponse WaitingOnThem { get; init; }
    public required ContactRhythmResponse NextContact { get; init; }
    public required ReplyDriftResponse ReplyDrift { get; init; }
    /// <summary>Every change of stage or nurture, oldest first: on the single contact only, absent from pages.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<StageChangeResponse>? StageHistory { get; init; }
}

public sealed record EvidenceResponse
{
    public required int MessagesSent { get; init; }
    public required int MessagesReceived { get; init; }
    public required int SharedThreads { get; init; }
    public required int SharedMeetings { get; init; }
    public required double MeetingHours { get; init; }
    public required DateTimeOffset? FirstInteraction { get; init; }
    public required DateTimeOffset? LastInteraction { get; init; }
    public required double? MedianReplyHoursMine { get; init; }
    public required double? MedianReplyHoursTheirs { get; init; }
    public required int RepliesMine { get; init; }
    public required int RepliesTheirs { get; init; }
    public required int AnsweredByMeetingMine { get; init; }
    public required int AnsweredByMeetingTheirs { get; init; }
    public required int ActiveMonths { get; init; }
    public required double SpanDays { get; init; }
    public required double? UsualGapDays { get; init; }
    public required double SilenceDays { get; init; }
    public required DateTimeOffset? LastSent { get; init; }
    public required DateTimeOffset? LastReceived { get; init; }
}

/// <summary>Threads waiting on one side, with the usual reply time they are measured against; <c>summary</c> null when none wait.</summary>
public sealed record WaitingThreadsResponse(int Threads, DateTimeOffset? OldestSince, double? OldestDays, double UsualReplyHours,
    bool UsualReplyIsDefault, int ReplySamples, string? Summary, string? Note);

/// <summary>When contact is next due by the tie's own rhythm, and how far past it the tie is.</summary>
public sealed record ContactRhythmResponse(bool Known, int Gaps, double? UsualGapDays, DateTimeOffset? NextDue, double? OverdueFactor,
    bool OlderThanHistory, string Summary);

/// <summary>One direction's reply times, recent against earlier.</summary>
public sealed record DriftLineResponse(bool Flagged, int EarlierSamples, int RecentSamples, double? EarlierMedianHours, double? RecentMedianHours,
    double? Ratio, string? Summary);

public sealed record ReplyDriftResponse(DriftLineResponse Theirs, DriftLineResponse Mine);

public sealed record DecisionResponse(
    [property: JsonConverter(typeof(CamelCaseEnumConverter<Stage>))] Stage Stage,
    IReadOnlyList<CriterionResponse> Rapport,
    IReadOnlyList<CriterionResponse> Relationship,
    EvidenceWindowResponse Window);

public sealed record CriterionResponse(string Name, bool Met, double Value, double Required, string Detail);

public sealed record EvidenceWindowResponse(DateTimeOffset? From, DateTimeOffset? To, int Months, bool WholeHistory, int MessagesSent,
    int MessagesReceived, double Balance, int BackAndForth);

public sealed record MonthActivityResponse(int Year, int Month, int Sent, int Received, int Meetings);

public sealed record StageChangeResponse(
    DateTimeOffset At,
    [property: JsonConverter(typeof(CamelCaseEnumConverter<Stage>))] Stage Stage,
    [property: JsonConverter(typeof(CamelCaseEnumConverter<Nurture>))] Nurture Nurture);

/// <summary>One page of the caller's contacts (GET /api/contacts).</summary>
public sealed record ContactPage(int Page, int PageSize, long Total, IReadOnlyList<ContactResponse> Items);

/// <summary>The stored document to the API's shape: the one place the two meet.</summary>
internal static class ContactMapping
{
    public static ContactResponse ToResponse(StoredProfile p, IReadOnlyList<StageChange>? history = null) => new()
    {
        Address = p.Address,
        DisplayName = p.DisplayName,
        Stage = p.Stage,
        Nurture = p.Nurture,
        Flags = p.Flags,
        Harmony = p.Harmony,
        Depth = p.Depth,
        Strength = p.Strength,
        Evidence = ToResponse(p.Evidence),
        Reasons = p.Reasons,
        NextStep = p.NextStep,
        Decision = p.Decision is { } d
            ? new DecisionResponse(d.Stage, d.Rapport.Select(ToResponse).ToList(), d.Relationship.Select(ToResponse).ToList(),
                new EvidenceWindowResponse(d.Window.From, d.Window.To, d.Window.Months, d.Window.WholeHistory, d.Window.MessagesSent,
                    d.Window.MessagesReceived, d.Window.Balance, d.Window.BackAndForth))
            : null,
        AutomatedReason = p.AutomatedReason,
        AsOf = p.AsOf,
        Timeline = p.Timeline.Select(m => new MonthActivityResponse(m.Year, m.Month, m.Sent, m.Received, m.Meetings)).ToList(),
        WaitingOnYou = ToResponse(p.WaitingOnYou),
        WaitingOnThem = ToResponse(p.WaitingOnThem),
        NextContact = new ContactRhythmResponse(p.NextContact.Known, p.NextContact.Gaps, p.NextContact.UsualGapDays, p.NextContact.NextDue,
            p.NextContact.OverdueFactor, p.NextContact.OlderThanHistory, p.NextContact.Summary),
        ReplyDrift = new ReplyDriftResponse(ToResponse(p.ReplyDrift.Theirs), ToResponse(p.ReplyDrift.Mine)),
        StageHistory = history?.Select(h => new StageChangeResponse(h.At, h.Stage, h.Nurture)).ToList(),
    };

    /// <summary>A profile just computed (the command line), in the API's shape: through the stored document, so both agree.</summary>
    public static ContactResponse ToResponse(ContactProfile p) => ToResponse(StoredProfileFormat.From(p));

    private static WaitingThreadsResponse ToResponse(StoredWaitingThreads w) =>
        new(w.Threads, w.OldestSince, w.OldestDays, w.UsualReplyHours, w.UsualReplyIsDefault, w.ReplySamples, w.Summary, w.Note);

    private static DriftLineResponse ToResponse(StoredDriftLine l) =>
        new(l.Flagged, l.EarlierSamples, l.RecentSamples, l.EarlierMedianHours, l.RecentMedianHours, l.Ratio, l.Summary);

    private static CriterionResponse ToResponse(StoredCriterion c) => new(c.Name, c.Met, c.Value, c.Required, c.Detail);

    private static EvidenceResponse ToResponse(StoredEvidence e) => new()
    {
        MessagesSent = e.MessagesSent,
        MessagesReceived = e.MessagesReceived,
        SharedThreads = e.SharedThreads,
        SharedMeetings = e.SharedMeetings,
        MeetingHours = e.MeetingHours,
        FirstInteraction = e.FirstInteraction,
        LastInteraction = e.LastInteraction,
        MedianReplyHoursMine = e.MedianReplyHoursMine,
        MedianReplyHoursTheirs = e.MedianReplyHoursTheirs,
        RepliesMine = e.RepliesMine,
        RepliesTheirs = e.RepliesTheirs,
        AnsweredByMeetingMine = e.AnsweredByMeetingMine,
        AnsweredByMeetingTheirs = e.AnsweredByMeetingTheirs,
        ActiveMonths = e.ActiveMonths,
        SpanDays = e.SpanDays,
        UsualGapDays = e.UsualGapDays,
        SilenceDays = e.SilenceDays,
        LastSent = e.LastSent,
        LastReceived = e.LastReceived,
    };
}

/// <summary>
/// Source-generated JSON for the API's bodies: camelCase, nulls written (the pane tells "unknown" from absent by it).
/// Registered first in the HTTP JSON options, so typed results and the OpenAPI document use the same metadata.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ContactResponse))]
[JsonSerializable(typeof(ContactPage))]
[JsonSerializable(typeof(List<ContactResponse>))]
[JsonSerializable(typeof(MeApi.MeResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>Contacts as indented JSON in the API's shape, for the command line's --format json.</summary>
public static class ContactJson
{
    private static readonly ApiJsonContext Indented = new(new JsonSerializerOptions(ApiJsonContext.Default.Options) { WriteIndented = true });

    public static string Serialize(ContactProfile profile) => JsonSerializer.Serialize(ContactMapping.ToResponse(profile), Indented.ContactResponse);

    public static string Serialize(IEnumerable<ContactProfile> profiles) =>
        JsonSerializer.Serialize(profiles.Select(ContactMapping.ToResponse).ToList(), Indented.ListContactResponse);
}
