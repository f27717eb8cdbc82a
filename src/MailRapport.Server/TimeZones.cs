using TimeZoneConverter;

namespace MailRapport.Server;

/// <summary>
/// The one rule for zone names found in calendars, invitation text, Graph events and configuration (Scheduling:TimeZone): IANA ids, Windows ids (Outlook's
/// TZID values, Graph's dateTimeTimeZone), Rails-style names ("Central Time (US &amp; Canada)") through TimeZoneConverter,
/// and the plain words Lotus Notes writes ("Eastern", "PT", "Central Daylight Time").
/// </summary>
/// <remarks>
/// The build runs with InvariantGlobalization, under which .NET's own <c>TimeZoneInfo.TryConvertWindowsIdToIanaId</c>
/// fails for every id (it needs ICU); TimeZoneConverter carries its own CLDR mapping, so Windows ids resolve anyway.
/// It lives in the server, not Core, because Core takes no packages; at the project's top level because import,
/// Graph scanning and scheduling all use it.
/// </remarks>
public static class TimeZones
{
    /// <summary>Words people and Lotus Notes write that are neither IANA, Windows nor Rails ids.</summary>
    private static readonly Dictionary<string, string> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Eastern Daylight Time"] = "America/New_York", ["Eastern Time"] = "America/New_York", ["Eastern"] = "America/New_York", ["ET"] = "America/New_York",
        ["Central Daylight Time"] = "America/Chicago", ["Central Time"] = "America/Chicago", ["Central"] = "America/Chicago", ["CT"] = "America/Chicago",
        ["Mountain Daylight Time"] = "America/Denver", ["Mountain Time"] = "America/Denver", ["Mountain"] = "America/Denver", ["MT"] = "America/Denver",
        ["Pacific Daylight Time"] = "America/Los_Angeles", ["Pacific Time"] = "America/Los_Angeles", ["Pacific"] = "America/Los_Angeles", ["PT"] = "America/Los_Angeles",
        ["tzone://Microsoft/Utc"] = "Etc/UTC", ["Coordinated Universal Time"] = "Etc/UTC", ["GMT"] = "Etc/UTC", ["UTC"] = "Etc/UTC",
    };

    /// <summary>The IANA id for a zone name, or null when unknown. Quotes and Outlook's "(UTC-06:00) ..." prefixes are tolerated.</summary>
    public static string? IanaId(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var n = name.Trim().Trim('"').Trim();
        if (n.StartsWith('(') && n.IndexOf(')') is var close and > 0) n = n[(close + 1)..].Trim();  // "(UTC-06:00) Central Time (US & Canada)"
        if (n.StartsWith('/') && n.Split('/') is { Length: >= 3 } parts) n = $"{parts[^2]}/{parts[^1]}"; // "/mozilla.org/20050126_1/America/New_York"
        if (Words.TryGetValue(n, out var word)) return word;
        if (TZConvert.TryGetTimeZoneInfo(n, out _))
            return TZConvert.TryWindowsToIana(n, out var fromWindows) ? fromWindows : n;
        if (TZConvert.TryRailsToIana(n, out var fromRails)) return fromRails;
        if (n.EndsWith(')') && n.IndexOf('(') is var open and > 0) return IanaId(n[..open]); // "Central Time (US & Canada)" spelled otherwise
        return null;
    }

    /// <summary>The zone for a name, or null when unknown; fixed offsets ("-0600", "CST") become fixed zones.</summary>
    public static TimeZoneInfo? Find(string? name)
    {
        if (FindNamed(name) is { } zone) return zone;
        if (string.IsNullOrWhiteSpace(name)) return null;
        var n = name.Trim().Trim('"').Trim();
        var fixedMinutes = Import.MailDate.ZoneOffsetMinutes(n);
        return fixedMinutes is { } m ? TimeZoneInfo.CreateCustomTimeZone(n, TimeSpan.FromMinutes(m), n, n) : null;
    }

    /// <summary>The IANA zone for a named zone (IANA, Windows, Rails or one of the words above), or null; no fixed offsets.</summary>
    public static TimeZoneInfo? FindNamed(string? name)
    {
        if (name is null) return null;
        // Resolving a name builds a new TimeZoneInfo with its rules; a calendar repeats a handful of names on every event.
        if (Resolved.TryGetValue(name, out var known)) return known;
        var zone = IanaId(name) is { } iana && TZConvert.TryGetTimeZoneInfo(iana, out var found) ? found : null;
        if (Resolved.Count < MaxResolved) Resolved.TryAdd(name, zone); // names come from outside: the cache stays bounded
        return zone;
    }

    private const int MaxResolved = 512;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TimeZoneInfo?> Resolved = new(StringComparer.Ordinal);

    /// <summary>
    /// A wall-clock time in a zone as an instant, as RFC 5545 §3.3.5 reads it: a time skipped by a DST jump is read with
    /// the offset before the jump (so 02:30 becomes 03:30), and a time that occurs twice is the first one (daylight time).
    /// </summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
            return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified.AddHours(-3))).ToOffset(zone.GetUtcOffset(unspecified.AddHours(3)));
        var offset = zone.IsAmbiguousTime(unspecified) ? zone.GetAmbiguousTimeOffsets(unspecified).Max() : zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset);
    }
}
