using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailRapport.Core;

namespace MailRapport.Server.Import;

/// <summary>
/// Reads VEVENTs from iCalendar text (RFC 5545): organizer, attendees with PARTSTAT/ROLE/CUTYPE, DTSTART/DTEND/DURATION
/// in UTC, a TZID zone, floating or all-day form, STATUS:CANCELLED, and RRULE (DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL,
/// COUNT, UNTIL, BYDAY, BYMONTHDAY) expanded inside a window, with EXDATE and RECURRENCE-ID overrides.
/// The owner's response is filled in later, once the owner is known.
/// </summary>
public static class ICalendarReader
{
    /// <summary>Upper bound on generated candidates per series, so a hostile RRULE cannot run forever.</summary>
    public const int MaxStepsPerSeries = 50_000;

    public sealed record Result(IReadOnlyList<MeetingInteraction> Meetings, int MalformedEvents);

    public static Result Read(string text, DateTimeOffset windowStart, DateTimeOffset windowEnd)
    {
        var events = new List<Dictionary<string, List<ContentLine>>>();
        Dictionary<string, List<ContentLine>>? current = null;
        int depth = 0; // nesting inside the VEVENT (VALARM)
        foreach (var line in Unfold(text))
        {
            if (!ContentLine.TryParse(line, out var cl)) continue;
            if (cl.Name == "BEGIN")
            {
                if (current is not null) depth++;
                else if (cl.Value.Equals("VEVENT", StringComparison.OrdinalIgnoreCase)) current = new(StringComparer.Ordinal);
                continue;
            }
            if (cl.Name == "END")
            {
                if (current is null) continue;
                if (depth > 0) { depth--; continue; }
                events.Add(current);
                current = null;
                continue;
            }
            if (current is null || depth > 0) continue;
            if (!current.TryGetValue(cl.Name, out var list)) current[cl.Name] = list = [];
            list.Add(cl);
        }

        int malformed = 0;
        var masters = new List<(Dictionary<string, List<ContentLine>> Event, string Uid)>();
        var overrides = new Dictionary<(string Uid, DateTimeOffset Instant), Dictionary<string, List<ContentLine>>>();
        foreach (var e in events)
        {
            var uid = First(e, "UID")?.Value.Trim() ?? SyntheticUid(e);
            if (First(e, "RECURRENCE-ID") is { } rid && TryDate(rid, out var ridStart, out _)) overrides[(uid, ridStart)] = e;
            else masters.Add((e, uid));
        }

        var meetings = new List<MeetingInteraction>();
        foreach (var (e, uid) in masters)
        {
            if (First(e, "DTSTART") is not { } dtStart || !TryDate(dtStart, out var start, out var startZone))
            {
                malformed++;
                continue;
            }
            if (Organizer(e) is null)
            {
                malformed++; // the owner's own appointment without people, or a broken ORGANIZER: nothing to relate
                continue;
            }
            var duration = EventDuration(e, start, dtStart);
            var rrule = First(e, "RRULE");
            if (rrule is null)
            {
                if (start < windowEnd && start + duration > windowStart && Build(e, uid, null, start, duration) is { } single)
                    meetings.Add(single);
                continue;
            }
            var excluded = new HashSet<DateTimeOffset>();
            foreach (var ex in e.GetValueOrDefault("EXDATE") ?? [])
                foreach (var part in ex.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    if (TryDate(ex with { Value = part }, out var exInstant, out _)) excluded.Add(exInstant);
            foreach (var occurrence in Expand(rrule.Value, start, startZone, dtStart.IsDateOnly, windowEnd))
            {
                if (excluded.Contains(occurrence)) continue;
                var source = overrides.GetValueOrDefault((uid, occurrence)) ?? e;
                var occStart = occurrence;
                var occDuration = duration;
                if (!ReferenceEquals(source, e) && First(source, "DTSTART") is { } os && TryDate(os, out var overriddenStart, out _))
                {
                    occStart = overriddenStart;
                    occDuration = EventDuration(source, overriddenStart, os);
                }
                if (occStart >= windowEnd || occStart + occDuration <= windowStart) continue;
                if (Build(source, uid, occurrence, occStart, occDuration) is { } m) meetings.Add(m with { IsRecurring = true });
            }
        }
        return new Result(meetings, malformed);
    }

    private static TimeSpan EventDuration(Dictionary<string, List<ContentLine>> e, DateTimeOffset start, ContentLine dtStart)
    {
        if (First(e, "DTEND") is { } dtEnd && TryDate(dtEnd, out var end, out _) && end > start) return end - start;
        if (First(e, "DURATION") is { } d && TryDuration(d.Value, out var span) && span > TimeSpan.Zero) return span;
        return dtStart.IsDateOnly ? TimeSpan.FromDays(1) : TimeSpan.Zero;
    }

    private static MeetingInteraction? Build(Dictionary<string, List<ContentLine>> e, string uid, DateTimeOffset? recurrenceId,
        DateTimeOffset start, TimeSpan duration)
    {
        var organizer = Organizer(e);
        var attendees = new List<Attendee>();
        foreach (var a in e.GetValueOrDefault("ATTENDEE") ?? [])
        {
            var address = DisplayText.Address(EmailAddress.Normalize(a.Value));
            if (address is null || address == organizer?.Address) continue;
            var cutype = a.Param("CUTYPE")?.ToUpperInvariant();
            var role = a.Param("ROLE")?.ToUpperInvariant();
            var kind = cutype is "ROOM" or "RESOURCE" ? AttendeeKind.Resource
                : role is "OPT-PARTICIPANT" or "NON-PARTICIPANT" ? AttendeeKind.Optional : AttendeeKind.Required;
            attendees.Add(new Attendee(address, DisplayText.Name(EmailAddress.CleanDisplayName(a.Param("CN"))), kind, Response(a.Param("PARTSTAT"))));
        }
        if (organizer is null) return null;
        var key = recurrenceId is { } r ? $"ics:{uid}/{r.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}" : $"ics:{uid}";
        return new MeetingInteraction
        {
            Key = key,
            Organizer = organizer.Value.Address,
            OrganizerDisplayName = organizer.Value.DisplayName,
            Attendees = attendees,
            Start = start.ToUniversalTime(),
            End = (start + duration).ToUniversalTime(),
            IsCancelled = First(e, "STATUS")?.Value.Trim().Equals("CANCELLED", StringComparison.OrdinalIgnoreCase) == true,
        };
    }

    private static MailboxAddress? Organizer(Dictionary<string, List<ContentLine>> e)
    {
        if (First(e, "ORGANIZER") is not { } o) return null;
        var address = DisplayText.Address(EmailAddress.Normalize(o.Value));
        return address is null ? null : new MailboxAddress(address, DisplayText.Name(EmailAddress.CleanDisplayName(o.Param("CN"))));
    }

    internal static AttendeeResponse Response(string? partstat) => partstat?.ToUpperInvariant() switch
    {
        "ACCEPTED" => AttendeeResponse.Accepted,
        "TENTATIVE" => AttendeeResponse.TentativelyAccepted,
        "DECLINED" => AttendeeResponse.Declined,
        "NEEDS-ACTION" => AttendeeResponse.NotResponded,
        _ => AttendeeResponse.None,
    };

    private static string SyntheticUid(Dictionary<string, List<ContentLine>> e)
    {
        var basis = $"{First(e, "ORGANIZER")?.Value}|{First(e, "DTSTART")?.Value}|{First(e, "SUMMARY")?.Value}";
        return "h" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(basis)))[..24];
    }

    private static ContentLine? First(Dictionary<string, List<ContentLine>> e, string name) =>
        e.TryGetValue(name, out var list) && list.Count > 0 ? list[0] : null;

    // ---- recurrence ----

    private static readonly string[] DayCodes = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

    /// <summary>Occurrence starts (as instants) from DTSTART until the window end, COUNT or UNTIL, whichever comes first.</summary>
    internal static IEnumerable<DateTimeOffset> Expand(string rule, DateTimeOffset start, TimeZoneInfo? zone, bool dateOnly, DateTimeOffset windowEnd)
    {
        var parts = rule.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim().ToUpperInvariant(), p => p[1].Trim(), StringComparer.Ordinal);
        var freq = parts.GetValueOrDefault("FREQ")?.ToUpperInvariant();
        int interval = int.TryParse(parts.GetValueOrDefault("INTERVAL"), NumberStyles.None, CultureInfo.InvariantCulture, out var iv) && iv > 0 ? iv : 1;
        int? count = int.TryParse(parts.GetValueOrDefault("COUNT"), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : null;
        DateTimeOffset? until = parts.GetValueOrDefault("UNTIL") is { } u && TryParseDateValue(u, null, zone, out var untilValue, out _)
            ? (u.Trim().Length == 8 ? untilValue.AddDays(1).AddTicks(-1) : untilValue) // a DATE UNTIL includes that whole day
            : null;
        var byDay = (parts.GetValueOrDefault("BYDAY") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(ParseByDay).Where(d => d.Day >= 0).ToList();
        var byMonthDay = (parts.GetValueOrDefault("BYMONTHDAY") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d) ? d : 0).Where(d => d != 0).ToList();

        // Expand in the event's wall-clock time so "09:00 every Monday" stays 09:00 across DST changes.
        var tz = zone ?? TimeZoneInfo.Utc;
        var local = zone is null ? start.UtcDateTime : TimeZoneInfo.ConvertTime(start, tz).DateTime;
        var timeOfDay = local.TimeOfDay;
        int produced = 0;
        int steps = 0;
        foreach (var candidate in Candidates(freq, interval, local, byDay, byMonthDay))
        {
            if (++steps > MaxStepsPerSeries) yield break;
            if (candidate.Date < local.Date) continue;
            var instant = dateOnly || zone is null
                ? new DateTimeOffset(DateTime.SpecifyKind(candidate.Date + timeOfDay, DateTimeKind.Unspecified), TimeSpan.Zero)
                : TimeZones.ToInstant(candidate.Date + timeOfDay, tz);
            if (until is { } un && instant > un) yield break;
            if (count is { } n && produced >= n) yield break;
            if (instant >= windowEnd) yield break;
            produced++;
            yield return instant;
        }
    }

    private static IEnumerable<DateTime> Candidates(string? freq, int interval, DateTime start, List<(int Ordinal, int Day)> byDay, List<int> byMonthDay)
    {
        var day0 = start.Date;
        switch (freq)
        {
            case "DAILY":
                for (var d = day0; ; d = d.AddDays(interval))
                {
                    if (byDay.Count == 0 || byDay.Any(b => b.Day == (int)d.DayOfWeek)) yield return d;
                    if (d.Year >= 9000) yield break;
                }
            case "WEEKLY":
                var weekStart = day0.AddDays(-(((int)day0.DayOfWeek + 6) % 7)); // RFC 5545 default WKST=MO
                var days = byDay.Count > 0 ? byDay.Select(b => b.Day).Distinct().ToList() : [(int)day0.DayOfWeek];
                for (var w = weekStart; ; w = w.AddDays(7 * interval))
                {
                    foreach (var d in days.Select(x => w.AddDays((x + 6) % 7)).Order()) yield return d;
                    if (w.Year >= 9000) yield break;
                }
            case "MONTHLY":
                for (var m = new DateTime(day0.Year, day0.Month, 1); ; m = m.AddMonths(interval))
                {
                    foreach (var d in MonthDays(m, day0, byDay, byMonthDay)) yield return d;
                    if (m.Year >= 9000) yield break;
                }
            case "YEARLY":
                for (int y = day0.Year; y < 9000; y += interval)
                    if (day0.Day <= DateTime.DaysInMonth(y, day0.Month)) yield return new DateTime(y, day0.Month, day0.Day);
                yield break;
            default:
                yield return day0; // unknown frequency: the first occurrence only
                yield break;
        }
    }

    private static IEnumerable<DateTime> MonthDays(DateTime monthStart, DateTime day0, List<(int Ordinal, int Day)> byDay, List<int> byMonthDay)
    {
        int daysIn = DateTime.DaysInMonth(monthStart.Year, monthStart.Month);
        var result = new SortedSet<DateTime>();
        foreach (var md in byMonthDay)
        {
            int d = md > 0 ? md : daysIn + md + 1;
            if (d >= 1 && d <= daysIn) result.Add(monthStart.AddDays(d - 1));
        }
        foreach (var (ordinal, weekday) in byDay)
        {
            var matches = Enumerable.Range(0, daysIn).Select(i => monthStart.AddDays(i)).Where(d => (int)d.DayOfWeek == weekday).ToList();
            if (ordinal == 0) foreach (var d in matches) result.Add(d);
            else if (ordinal > 0 && ordinal <= matches.Count) result.Add(matches[ordinal - 1]);
            else if (ordinal < 0 && -ordinal <= matches.Count) result.Add(matches[matches.Count + ordinal]);
        }
        if (byMonthDay.Count == 0 && byDay.Count == 0 && day0.Day <= daysIn) result.Add(monthStart.AddDays(day0.Day - 1));
        return result;
    }

    private static (int Ordinal, int Day) ParseByDay(string text)
    {
        if (text.Length < 2) return (0, -1);
        int day = Array.IndexOf(DayCodes, text[^2..].ToUpperInvariant());
        int ordinal = text.Length > 2 && int.TryParse(text[..^2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var o) ? o : 0;
        return (ordinal, day);
    }

    // ---- values ----

    private static bool TryDate(ContentLine line, out DateTimeOffset value, out TimeZoneInfo? zone) =>
        TryParseDateValue(line.Value.Trim(), line.Param("TZID"), null, out value, out zone);

    /// <summary>DATE-TIME in UTC ("...Z"), with a TZID, floating (taken as the fallback zone, else UTC), or a DATE (midnight UTC).</summary>
    internal static bool TryParseDateValue(string value, string? tzid, TimeZoneInfo? fallbackZone, out DateTimeOffset result, out TimeZoneInfo? zone)
    {
        result = default;
        zone = null;
        var v = value.Trim();
        if (v.Length == 8 && DateTime.TryParseExact(v, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            result = new DateTimeOffset(day, TimeSpan.Zero);
            return true;
        }
        bool utc = v.EndsWith('Z');
        if (utc) v = v[..^1];
        if (!DateTime.TryParseExact(v, ["yyyyMMdd'T'HHmmss", "yyyyMMdd'T'HHmm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt)) return false;
        if (utc) { result = new DateTimeOffset(dt, TimeSpan.Zero); return true; }
        zone = TimeZones.Find(tzid) ?? fallbackZone;
        result = zone is null ? new DateTimeOffset(dt, TimeSpan.Zero) : TimeZones.ToInstant(dt, zone);
        return true;
    }

    internal static bool TryDuration(string text, out TimeSpan span)
    {
        span = TimeSpan.Zero;
        var t = text.Trim().ToUpperInvariant();
        bool negative = t.StartsWith('-');
        t = t.TrimStart('+', '-');
        if (!t.StartsWith('P')) return false;
        bool inTime = false;
        int number = 0;
        bool any = false;
        foreach (var c in t[1..])
        {
            if (char.IsAsciiDigit(c)) { number = checked(number * 10 + (c - '0')); any = true; continue; }
            switch (c)
            {
                case 'T': inTime = true; continue;
                case 'W': span += TimeSpan.FromDays(7 * number); break;
                case 'D': span += TimeSpan.FromDays(number); break;
                case 'H' when inTime: span += TimeSpan.FromHours(number); break;
                case 'M' when inTime: span += TimeSpan.FromMinutes(number); break;
                case 'S' when inTime: span += TimeSpan.FromSeconds(number); break;
                default: return false;
            }
            number = 0;
        }
        if (negative) span = -span;
        return any;
    }

    private static IEnumerable<string> Unfold(string text)
    {
        var sb = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t')) { sb.Append(line, 1, line.Length - 1); continue; }
            if (sb.Length > 0) yield return sb.ToString();
            sb.Clear().Append(line);
        }
        if (sb.Length > 0) yield return sb.ToString();
    }

    /// <summary>NAME;PARAM=value;PARAM="quoted:value":VALUE</summary>
    internal sealed record ContentLine(string Name, IReadOnlyDictionary<string, string> Params, string Value)
    {
        public string? Param(string name) => Params.TryGetValue(name, out var v) ? v : null;
        public bool IsDateOnly => Param("VALUE")?.Equals("DATE", StringComparison.OrdinalIgnoreCase) == true || Value.Trim().Length == 8;

        public static bool TryParse(string line, out ContentLine result)
        {
            result = null!;
            int i = 0;
            while (i < line.Length && line[i] != ';' && line[i] != ':') i++;
            if (i == 0 || i >= line.Length) return false;
            var name = line[..i].Trim().ToUpperInvariant();
            var ps = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (i < line.Length && line[i] == ';')
            {
                int eq = line.IndexOf('=', i + 1);
                if (eq < 0) return false;
                var pname = line[(i + 1)..eq].Trim();
                int j = eq + 1;
                string pvalue;
                if (j < line.Length && line[j] == '"')
                {
                    int close = line.IndexOf('"', j + 1);
                    if (close < 0) return false;
                    pvalue = line[(j + 1)..close];
                    j = close + 1;
                    while (j < line.Length && line[j] != ';' && line[j] != ':') j++; // tolerate junk after the quote
                }
                else
                {
                    int k = j;
                    while (k < line.Length && line[k] != ';' && line[k] != ':') k++;
                    pvalue = line[j..k];
                    j = k;
                }
                ps[pname] = pvalue;
                i = j;
            }
            if (i >= line.Length || line[i] != ':') return false;
            result = new ContentLine(name, ps, line[(i + 1)..]);
            return true;
        }
    }
}
