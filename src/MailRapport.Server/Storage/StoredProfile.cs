using System.Text.Json;
using System.Text.Json.Serialization;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>
/// The stored profile document, format 1 (contact_profiles.profile, with profile_format = 1). Its own types, mapped
/// from Core's <see cref="ContactProfile"/>: renaming a Core property does not change what is stored. Plain settable
/// members with defaults: a field added later reads as its default from older rows, and reading needs no constructor
/// buffering (the API parses one of these per request). Changing a field's meaning or type is a new format with a
/// new number and a reader for the old one (<see cref="StoredProfileFormat"/>).
/// </summary>
public sealed class StoredProfile
{
    public string Address { get; set; } = "";
    public string? DisplayName { get; set; }
    public Stage Stage { get; set; }
    public Nurture Nurture { get; set; }
    public IReadOnlyList<string> Flags { get; set; } = [];
    public int Harmony { get; set; }
    public int Depth { get; set; }
    public double Strength { get; set; }
    public StoredEvidence Evidence { get; set; } = new();
    public IReadOnlyList<string> Reasons { get; set; } = [];
    public string NextStep { get; set; } = "";
    public StoredDecision? Decision { get; set; }
    public string? AutomatedReason { get; set; }
    public DateTimeOffset AsOf { get; set; }
    public IReadOnlyList<StoredMonth> Timeline { get; set; } = [];
    // The follow-up facts, in their own stored types (StoredFollowUps.cs; absent in older rows: none).
    public StoredWaitingThreads WaitingOnYou { get; set; } = new();
    public StoredWaitingThreads WaitingOnThem { get; set; } = new();
    public StoredRhythm NextContact { get; set; } = new();
    public StoredReplyDrift ReplyDrift { get; set; } = new();
}

public sealed class StoredEvidence
{
    public int MessagesSent { get; set; }
    public int MessagesReceived { get; set; }
    public int SharedThreads { get; set; }
    public int SharedMeetings { get; set; }
    public double MeetingHours { get; set; }
    public DateTimeOffset? FirstInteraction { get; set; }
    public DateTimeOffset? LastInteraction { get; set; }
    public double? MedianReplyHoursMine { get; set; }
    public double? MedianReplyHoursTheirs { get; set; }
    public int RepliesMine { get; set; }
    public int RepliesTheirs { get; set; }
    public int AnsweredByMeetingMine { get; set; }
    public int AnsweredByMeetingTheirs { get; set; }
    public int ActiveMonths { get; set; }
    public double SpanDays { get; set; }
    public double? UsualGapDays { get; set; }
    public double SilenceDays { get; set; }
    public DateTimeOffset? LastSent { get; set; }
    public DateTimeOffset? LastReceived { get; set; }
}

public sealed class StoredDecision
{
    public Stage Stage { get; set; }
    public IReadOnlyList<StoredCriterion> Rapport { get; set; } = [];
    public IReadOnlyList<StoredCriterion> Relationship { get; set; } = [];
    public StoredWindow Window { get; set; } = new();
}

public sealed class StoredCriterion
{
    public string Name { get; set; } = "";
    public bool Met { get; set; }
    public double Value { get; set; }
    public double Required { get; set; }
    public string Detail { get; set; } = "";
}

public sealed class StoredWindow
{
    public DateTimeOffset? From { get; set; }
    public DateTimeOffset? To { get; set; }
    public int Months { get; set; }
    public bool WholeHistory { get; set; }
    public int MessagesSent { get; set; }
    public int MessagesReceived { get; set; }
    public double Balance { get; set; }
    public int BackAndForth { get; set; }
}

public sealed class StoredMonth
{
    public int Year { get; set; }
    public int Month { get; set; }
    public int Sent { get; set; }
    public int Received { get; set; }
    public int Meetings { get; set; }
}

/// <summary>Core's profile to the stored document and back to bytes; the one place that knows the format number.</summary>
internal static class StoredProfileFormat
{
    public const short Current = 1;

    /// <summary>The document's UTF-8 bytes: what <see cref="StoredProfileJson"/> writes, by <see cref="StoredProfileWriter"/>'s straight-line code.</summary>
    public static byte[] Serialize(ContactProfile p) => StoredProfileWriter.Serialize(From(p));

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
        Decision = p.Decision is { } d
            ? new StoredDecision
            {
                Stage = d.Stage,
                Rapport = d.Rapport.Select(From).ToList(),
                Relationship = d.Relationship.Select(From).ToList(),
                Window = new StoredWindow
                {
                    From = d.Window.From, To = d.Window.To, Months = d.Window.Months, WholeHistory = d.Window.WholeHistory,
                    MessagesSent = d.Window.MessagesSent, MessagesReceived = d.Window.MessagesReceived, Balance = d.Window.Balance,
                    BackAndForth = d.Window.BackAndForth,
                },
            }
            : null,
        AutomatedReason = p.AutomatedReason,
        AsOf = p.AsOf,
        Timeline = p.Timeline.Select(m => new StoredMonth { Year = m.Year, Month = m.Month, Sent = m.Sent, Received = m.Received, Meetings = m.Meetings })
            .ToList(),
        WaitingOnYou = StoredFollowUps.From(p.WaitingOnYou),
        WaitingOnThem = StoredFollowUps.From(p.WaitingOnThem),
        NextContact = StoredFollowUps.From(p.NextContact),
        ReplyDrift = StoredFollowUps.From(p.ReplyDrift),
    };

    private static StoredCriterion From(Criterion c) =>
        new() { Name = c.Name, Met = c.Met, Value = c.Value, Required = c.Required, Detail = c.Detail };

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
        foreach (var (flag, name) in Flags)
            if (flags.HasFlag(flag))
                names.Add(name);
        return names;
    }

    // Each flag with its name, made once (not per profile).
    private static readonly (ContactFlags Flag, string Name)[] Flags = Enum.GetValues<ContactFlags>()
        .Where(f => f != ContactFlags.None)
        .Select(f => (f, JsonNamingPolicy.CamelCase.ConvertName(f.ToString())))
        .ToArray();
}

/// <summary>Source-generated JSON for the stored document: camelCase names, enums by camelCase name; what a document leaves out reads as its default.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    Converters = [typeof(CamelCaseEnumConverter<Stage>), typeof(CamelCaseEnumConverter<Nurture>)])]
[JsonSerializable(typeof(StoredProfile))]
[JsonSerializable(typeof(StoredCoverage))]
internal sealed partial class StoredProfileJson : JsonSerializerContext;

/// <summary>An enum as its camelCase name ("relationship"), for source-generated contexts (which take converters by type).</summary>
public sealed class CamelCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase) where T : struct, Enum;
