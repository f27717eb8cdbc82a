using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;
using MailRapport.Core;

namespace MailRapport.Server.Import;

/// <summary>
/// Reads the meetings of an iCalendar file (RFC 5545) as a stream: its own line reader cuts the file into VEVENT and
/// VTIMEZONE blocks, and each event block is parsed by Ical.Net on its own, so memory stays flat whatever the file's
/// size. Ical.Net expands RRULE/RDATE/EXDATE (in the event's zone); RECURRENCE-ID events replace the occurrence they
/// name wherever they are in the file (a first pass notes them). Every event left out is counted with its reason.
/// The owner's response is filled in later, once the owner is known.
/// </summary>
public static class ICalendarReader
{
    /// <summary>A series yields at most this many meetings; an event over it is stored cut and counted.</summary>
    public const int MaxOccurrencesPerSeries = 5_000;
    /// <summary>Content lines longer than this (and events larger than <see cref="MaxEventChars"/>) are not parsed: the event is skipped.</summary>
    public const int MaxLineChars = 256 * 1024;
    public const int MaxEventChars = 4 * 1024 * 1024;
    private const int MaxZonesPerFile = 1_000;

    public static class Reasons
    {
        public const string NoStart = "no start (DTSTART missing or unreadable)";
        public const string NoOrganizer = "no organizer";
        public const string Placeholder = "starts before 1980 (a placeholder date, such as year 0001)";
        public const string SubDaily = "recurs every second, minute or hour (not a meeting)";
        public const string OutsideWindow = "outside the imported dates (before 1980 or over a year after the import)";
        public const string SeriesCut = "series cut at 5,000 occurrences (the rest skipped)";
        public const string TooLarge = "event larger than 4 MB or with a line over 256 KB";
        public const string NeverMatches = "recurrence rule that never matches";
        public const string Unreadable = "unreadable event";
    }

    /// <summary>What one read found: meetings, and events skipped by reason.</summary>
    public sealed record Result(IReadOnlyList<MeetingInteraction> Meetings, IReadOnlyDictionary<string, int> Skipped)
    {
        public int MalformedEvents => Skipped.Values.Sum();
    }

    /// <summary>Reads calendar text held in memory (tests, small inputs).</summary>
    public static Result Read(string text, DateTimeOffset windowStart, DateTimeOffset windowEnd)
    {
        var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var meetings = Read(() => new StringReader(text), windowStart, windowEnd, reason => skipped[reason] = skipped.GetValueOrDefault(reason) + 1).ToList();
        return new Result(meetings, skipped);
    }

    /// <summary>Streams the meetings of a calendar file; <paramref name="skipped"/> is called once per event left out, with the reason.</summary>
    public static IEnumerable<MeetingInteraction> ReadFile(string path, DateTimeOffset windowStart, DateTimeOffset windowEnd, Action<string> skipped) =>
        Read(() => new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true,
            new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan }), windowStart, windowEnd, skipped);

    public static IEnumerable<MeetingInteraction> Read(Func<TextReader> open, DateTimeOffset windowStart, DateTimeOffset windowEnd, Action<string> skipped)
    {
        // Pass 1: the file's own zone definitions (a fallback for ids no resolver knows, such as Outlook's
        // "Customized Time Zone") and the occurrences RECURRENCE-ID events replace. Both are small.
        var zones = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        using (var reader = open())
        {
            foreach (var block in ICalendarBlocks.Read(reader, keepAllEvents: false, MaxLineChars, MaxEventChars))
            {
                if (block.IsTimeZone)
                {
                    if (zones.Count < MaxZonesPerFile && ICalendarZones.Fallback(block.Text) is { } z) zones.TryAdd(z.TzId, z.FixedId);
                }
                else if (block.HasRecurrenceId && !block.TooLarge && TryParse(block.Text, zones) is { RecurrenceIdentifier.StartTime: { } rid } e)
                {
                    replaced.Add(OccurrenceKey(Uid(e), rid.AsUtc));
                }
            }
        }
        using (var reader = open())
        {
            foreach (var block in ICalendarBlocks.Read(reader, keepAllEvents: true, MaxLineChars, MaxEventChars))
            {
                if (block.IsTimeZone) continue;
                if (block.TooLarge) { skipped(Reasons.TooLarge); continue; }
                List<MeetingInteraction> meetings;
                try
                {
                    meetings = Meetings(block.Text, zones, replaced, windowStart, windowEnd, out var reason);
                    if (reason is not null) skipped(reason);
                }
                catch (Exception ex) when (ex is EvaluationLimitExceededException)
                {
                    skipped(Reasons.NeverMatches);
                    continue;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Ical.Net throws on much hostile or broken input (unknown values, impossible dates): one event is lost, not the file.
                    skipped(Reasons.Unreadable);
                    continue;
                }
                foreach (var m in meetings) yield return m;
            }
        }
    }

    /// <summary>The meetings of one event block; a reason when all or part of it is left out.</summary>
    private static List<MeetingInteraction> Meetings(string text, Dictionary<string, string> zones, HashSet<string> replaced,
        DateTimeOffset windowStart, DateTimeOffset windowEnd, out string? skipped)
    {
        var result = new List<MeetingInteraction>();
        skipped = null;
        var e = TryParse(text, zones);
        if (e is null) { skipped = Reasons.Unreadable; return result; }
        if (e.DtStart is not { } dtStart) { skipped = Reasons.NoStart; return result; }
        var organizer = Organizer(e);
        if (organizer is null) { skipped = Reasons.NoOrganizer; return result; } // the owner's own appointment without people, or a broken ORGANIZER
        var start = new DateTimeOffset(dtStart.AsUtc, TimeSpan.Zero);
        if (start < MailDate.EarliestPlausible) { skipped = Reasons.Placeholder; return result; }
        var uid = Uid(e);
        var attendees = Attendees(e, organizer.Value.Address);
        bool cancelled = string.Equals(e.Status, "CANCELLED", StringComparison.OrdinalIgnoreCase);

        MeetingInteraction Build(string key, DateTimeOffset from, DateTimeOffset to, bool recurring) => new()
        {
            Key = key,
            Organizer = organizer.Value.Address,
            OrganizerDisplayName = organizer.Value.DisplayName,
            Attendees = attendees,
            Start = from,
            End = to < from ? from : to,
            IsCancelled = cancelled,
            IsRecurring = recurring,
        };

        if (e.RecurrenceIdentifier?.StartTime is { } rid)
        {
            // One occurrence of a series, moved or changed: keyed by the occurrence it replaces.
            var (from, to) = Span(e, dtStart);
            if (from < windowEnd && to > windowStart) result.Add(Build(OccurrenceKey(uid, rid.AsUtc), from, to, true));
            else skipped = Reasons.OutsideWindow;
            return result;
        }
        bool recurring = e.RecurrenceRule is not null || e.RecurrenceDates.GetAllDates().Any();
        if (!recurring)
        {
            var (from, to) = Span(e, dtStart);
            if (from < windowEnd && to > windowStart) result.Add(Build("ics:" + uid, from, to, false));
            else skipped = Reasons.OutsideWindow;
            return result;
        }
        if (e.RecurrenceRule?.Frequency is FrequencyType.Secondly or FrequencyType.Minutely or FrequencyType.Hourly)
        {
            skipped = Reasons.SubDaily;
            return result;
        }
        int inWindow = 0;
        foreach (var o in e.GetOccurrences(null, new EvaluationOptions { MaxUnmatchedIncrementsLimit = 1000 }))
        {
            var from = new DateTimeOffset(o.Period.StartTime.AsUtc, TimeSpan.Zero);
            if (from >= windowEnd) break;
            var end = o.Period.EffectiveEndTime ?? o.Period.StartTime;
            var to = new DateTimeOffset(end.AsUtc, TimeSpan.Zero);
            if (to <= windowStart) continue;
            if (++inWindow > MaxOccurrencesPerSeries) { skipped = Reasons.SeriesCut; break; }
            var key = OccurrenceKey(uid, o.Period.StartTime.AsUtc);
            if (replaced.Contains(key)) continue; // its RECURRENCE-ID event stands for it
            result.Add(Build(key, from, to, true));
        }
        if (inWindow == 0) skipped = Reasons.OutsideWindow;
        return result;
    }

    private static (DateTimeOffset From, DateTimeOffset To) Span(CalendarEvent e, CalDateTime dtStart)
    {
        var from = new DateTimeOffset(dtStart.AsUtc, TimeSpan.Zero);
        CalDateTime? end = e.DtEnd is { } dtEnd && dtEnd > dtStart ? dtEnd : null;
        end ??= dtStart.Add(e.EffectiveDuration);
        return (from, new DateTimeOffset(end.AsUtc, TimeSpan.Zero));
    }

    private static string OccurrenceKey(string uid, DateTime originalStartUtc) =>
        $"ics:{uid}/{originalStartUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";

    private static string Uid(CalendarEvent e)
    {
        if (e.Uid?.Trim() is { Length: > 0 } uid) return uid;
        var basis = $"{e.Organizer?.Value?.OriginalString}|{e.DtStart}|{e.Summary}";
        return "h" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(basis)))[..24];
    }

    private static MailboxAddress? Organizer(CalendarEvent e)
    {
        if (e.Organizer is not { } o) return null;
        var address = EmailAddress.Normalize(o.Value?.OriginalString);
        return address is null ? null : new MailboxAddress(address, EmailAddress.DisplayNameFor(o.CommonName, address));
    }

    private static List<Core.Attendee> Attendees(CalendarEvent e, string organizer)
    {
        var attendees = new List<Core.Attendee>();
        foreach (var a in e.Attendees)
        {
            var address = EmailAddress.Normalize(a.Value?.OriginalString);
            if (address is null || address == organizer) continue;
            var cutype = a.Type?.ToUpperInvariant();
            var role = a.Role?.ToUpperInvariant();
            var kind = cutype is "ROOM" or "RESOURCE" ? AttendeeKind.Resource
                : role is "OPT-PARTICIPANT" or "NON-PARTICIPANT" ? AttendeeKind.Optional : AttendeeKind.Required;
            attendees.Add(new Core.Attendee(address, EmailAddress.DisplayNameFor(a.CommonName, address), kind, Response(a.ParticipationStatus)));
        }
        return attendees;
    }

    internal static AttendeeResponse Response(string? partstat) => partstat?.ToUpperInvariant() switch
    {
        "ACCEPTED" => AttendeeResponse.Accepted,
        "TENTATIVE" => AttendeeResponse.TentativelyAccepted,
        "DECLINED" => AttendeeResponse.Declined,
        "NEEDS-ACTION" => AttendeeResponse.NotResponded,
        _ => AttendeeResponse.None,
    };

    // ---- Ical.Net, one event at a time ----

    static ICalendarReader()
    {
        // Ical.Net resolves TZIDs through one process-wide function: ours applies the product's single zone rule
        // (TimeZones, backed by TimeZoneConverter), knows the fixed zones made from a file's own VTIMEZONE, and reads
        // an id nobody knows as UTC instead of throwing ("Unrecognized time zone id", ical-org/ical.net#749).
        TimeZoneResolvers.TimeZoneResolver = ICalendarZones.Resolve;
    }

    private static CalendarEvent? TryParse(string block, Dictionary<string, string> zones)
    {
        if (zones.Count > 0) block = ICalendarZones.WithFileZones(block, zones);
        try
        {
            return Ical.Net.Calendar.Load<CalendarEvent>(block).OfType<CalendarEvent>().FirstOrDefault();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }
}
