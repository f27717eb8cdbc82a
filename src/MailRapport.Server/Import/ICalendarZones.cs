using System.Globalization;
using Ical.Net;
using MailRapport.Core;
using NodaTime;

namespace MailRapport.Server.Import;

/// <summary>
/// Time zones of calendar files: how a TZID resolves, and the fixed zone made from a file's own VTIMEZONE when no
/// resolver knows its id (Outlook's "Customized Time Zone").
/// </summary>
internal static class ICalendarZones
{
    private const string FixedZonePrefix = "MailRapport/Fixed/";

    /// <summary>
    /// The TZID resolver Ical.Net uses (registered by <see cref="ICalendarReader"/>): the product's single zone rule
    /// (<see cref="TimeZones"/>), the fixed zones made from a file's own VTIMEZONE, and UTC for an id nobody knows.
    /// </summary>
    internal static DateTimeZone Resolve(string tzid)
    {
        if (tzid.StartsWith(FixedZonePrefix, StringComparison.Ordinal) &&
            int.TryParse(tzid.AsSpan(FixedZonePrefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            return DateTimeZone.ForOffset(Offset.FromSeconds(seconds));
        if (TimeZones.IanaId(tzid) is { } iana && DateTimeZoneProviders.Tzdb.GetZoneOrNull(iana) is { } zone) return zone;
        try { return TimeZoneResolvers.Default(tzid); }
        catch (ArgumentException) { }
        if (TimeZones.Find(tzid) is { } fixedZone && !fixedZone.SupportsDaylightSavingTime)
            return DateTimeZone.ForOffset(Offset.FromTimeSpan(fixedZone.BaseUtcOffset));
        return DateTimeZone.Utc;
    }

    /// <summary>TZIDs defined by the file's VTIMEZONE and unknown to the resolver point to the fixed zone made from it.</summary>
    public static string WithFileZones(string block, Dictionary<string, string> zones)
    {
        if (!block.Contains("TZID=", StringComparison.OrdinalIgnoreCase)) return block;
        foreach (var (tzid, fixedId) in zones)
        {
            if (!block.Contains(tzid, StringComparison.Ordinal)) continue;
            block = block.Replace("TZID=\"" + tzid + "\"", "TZID=" + fixedId, StringComparison.OrdinalIgnoreCase)
                         .Replace("TZID=" + tzid + ":", "TZID=" + fixedId + ":", StringComparison.OrdinalIgnoreCase)
                         .Replace("TZID=" + tzid + ";", "TZID=" + fixedId + ";", StringComparison.OrdinalIgnoreCase);
        }
        return block;
    }

    /// <summary>
    /// For a VTIMEZONE whose TZID no resolver knows: a fixed zone at its standard offset (TZOFFSETTO of STANDARD).
    /// Daylight rules of such custom zones are not followed; the event keeps its day and is at most an hour off.
    /// </summary>
    public static (string TzId, string FixedId)? Fallback(string block)
    {
        string? tzid = null, standard = null, any = null;
        bool inStandard = false;
        foreach (var raw in block.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("TZID:", StringComparison.OrdinalIgnoreCase)) tzid ??= line[5..].Trim().Trim('"');
            else if (line.Equals("BEGIN:STANDARD", StringComparison.OrdinalIgnoreCase)) inStandard = true;
            else if (line.Equals("END:STANDARD", StringComparison.OrdinalIgnoreCase)) inStandard = false;
            else if (line.StartsWith("TZOFFSETTO:", StringComparison.OrdinalIgnoreCase))
            {
                var value = line[11..].Trim();
                any ??= value;
                if (inStandard) standard ??= value;
            }
        }
        if (tzid is null || tzid.Length == 0 || tzid.Contains('"')) return null;
        if (TimeZones.IanaId(tzid) is { } iana && DateTimeZoneProviders.Tzdb.GetZoneOrNull(iana) is not null) return null; // known: no fallback needed
        if (OffsetSeconds(standard ?? any ?? "") is not { } seconds) return null;
        return (tzid, FixedZonePrefix + seconds.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A UTC offset as RFC 5545 writes it: +hhmm or -hhmm, optionally with seconds.</summary>
    private static int? OffsetSeconds(string value)
    {
        var v = value.Trim();
        if (v.Length is not (5 or 7) || v[0] is not ('+' or '-') || v.AsSpan(1).ContainsAnyExceptInRange('0', '9')) return null;
        int seconds = int.Parse(v.AsSpan(1, 2), CultureInfo.InvariantCulture) * 3600 + int.Parse(v.AsSpan(3, 2), CultureInfo.InvariantCulture) * 60
            + (v.Length == 7 ? int.Parse(v.AsSpan(5, 2), CultureInfo.InvariantCulture) : 0);
        return seconds >= 24 * 3600 ? null : v[0] == '-' ? -seconds : seconds;
    }
}
