using System.Text.Json;
using System.Text.Json.Serialization;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>
/// The stored profile document, format 1 (contact_profiles.profile, with profile_format = 1). Its own types, mapped
/// from Core's <see cref="ContactProfile"/>: renaming a Core property does not change what is stored. A new format
/// gets a new number and a reader for the old one (<see cref="StoredProfileFormat"/>); never change a released one.
/// </summary>
public sealed record StoredProfile
{
    public required string Address { get; init; }
    public required string? DisplayName { get; init; }
    public required Stage Stage { get; init; }
    public required Nurture Nurture { get; init; }
    public required IReadOnlyList<string> Flags { get; init; }
    public required int Harmony { get; init; }
    public required int Depth { get; init; }
    public required double Strength { get; init; }
    public required StoredEvidence Evidence { get; init; }
    public required IReadOnlyList<string> Reasons { get; init; }
    public required string NextStep { get; init; }
    public required StoredDecision? Decision { get; init; }
    public required string? AutomatedReason { get; init; }
    public required DateTimeOffset AsOf { get; init; }
    public required IReadOnlyList<StoredMonth> Timeline { get; init; }
}

public sealed record StoredEvidence
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

public sealed record StoredDecision(Stage Stage, IReadOnlyList<StoredCriterion> Rapport, IReadOnlyList<StoredCriterion> Relationship, StoredWindow Window);

public sealed record StoredCriterion(string Name, bool Met, double Value, double Required, string Detail);

public sealed record StoredWindow(DateTimeOffset? From, DateTimeOffset? To, int Months, bool WholeHistory, int MessagesSent, int MessagesReceived,
    double Balance, int BackAndForth);

public sealed record StoredMonth(int Year, int Month, int Sent, int Received, int Meetings);

/// <summary>Core's profile to the stored document and back to bytes; the one place that knows the format number.</summary>
internal static class StoredProfileFormat
{
    public const short Current = 1;

    public static byte[] Serialize(ContactProfile p) => JsonSerializer.SerializeToUtf8Bytes(From(p), StoredProfileJson.Default.StoredProfile);

    public static StoredProfile Deserialize(short format, ReadOnlySpan<byte> utf8) => format switch
    {
        1 => JsonSerializer.Deserialize(utf8, StoredProfileJson.Default.StoredProfile)
             ?? throw new JsonException("A stored profile is null."),
        _ => throw new NotSupportedException($"Stored profile format {format} is newer than this version reads; upgrade the service."),
    };

    public static StoredProfile From(ContactProfile p) => new()
    {
        Address = p.Address,
        DisplayName = p.DisplayName,
        Stage = p.Stage,
        Nurture = p.Nurture,
        Flags = FlagNames(p.Flags),
        Harmony = p.Harmony,
        Depth = p.Depth,
        Strength = p.Strength,
        Evidence = From(p.Evidence),
        Reasons = p.Reasons,
        NextStep = p.NextStep,
        Decision = p.Decision is { } d ? new StoredDecision(d.Stage, d.Rapport.Select(From).ToList(), d.Relationship.Select(From).ToList(),
            new StoredWindow(d.Window.From, d.Window.To, d.Window.Months, d.Window.WholeHistory, d.Window.MessagesSent,
                d.Window.MessagesReceived, d.Window.Balance, d.Window.BackAndForth)) : null,
        AutomatedReason = p.AutomatedReason,
        AsOf = p.AsOf,
        Timeline = p.Timeline.Select(m => new StoredMonth(m.Year, m.Month, m.Sent, m.Received, m.Meetings)).ToList(),
    };

    private static StoredCriterion From(Criterion c) => new(c.Name, c.Met, c.Value, c.Required, c.Detail);

    private static StoredEvidence From(Evidence e) => new()
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

    /// <summary>Set flags as camelCase names (["oneWayInbound", "automated"]), in declaration order.</summary>
    public static IReadOnlyList<string> FlagNames(ContactFlags flags)
    {
        if (flags == ContactFlags.None) return [];
        var names = new List<string>(2);
        foreach (var flag in Enum.GetValues<ContactFlags>())
            if (flag != ContactFlags.None && flags.HasFlag(flag))
                names.Add(JsonNamingPolicy.CamelCase.ConvertName(flag.ToString()));
        return names;
    }
}

/// <summary>Source-generated JSON for the stored document: camelCase names, enums by camelCase name, nulls written.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    Converters = [typeof(CamelCaseEnumConverter<Stage>), typeof(CamelCaseEnumConverter<Nurture>)])]
[JsonSerializable(typeof(StoredProfile))]
[JsonSerializable(typeof(MailboxCoverage))]
internal sealed partial class StoredProfileJson : JsonSerializerContext;

/// <summary>An enum as its camelCase name ("relationship"), for source-generated contexts (which take converters by type).</summary>
public sealed class CamelCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase) where T : struct, Enum;
