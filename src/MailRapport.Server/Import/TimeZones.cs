namespace MailRapport.Server.Import;

/// <summary>
/// Resolves the zone names found in calendars, invitation text and Graph events: IANA ids, Windows ids (Outlook's TZID
/// values, Graph's dateTimeTimeZone) and the plain words Lotus Notes writes ("Central Standard Time", "Eastern", "PT").
/// </summary>
public static class TimeZones
{
    // Windows ids need ICU to convert on Linux, and the build runs with invariant globalization, so keep a table of the common ones.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Eastern Standard Time"] = "America/New_York", ["Eastern Daylight Time"] = "America/New_York",
        ["Eastern Time"] = "America/New_York", ["Eastern"] = "America/New_York", ["ET"] = "America/New_York",
        ["US Eastern Standard Time"] = "America/Indiana/Indianapolis",
        ["Central Standard Time"] = "America/Chicago", ["Central Daylight Time"] = "America/Chicago",
        ["Central Time"] = "America/Chicago", ["Central"] = "America/Chicago", ["CT"] = "America/Chicago",
        ["Mountain Standard Time"] = "America/Denver", ["Mountain Daylight Time"] = "America/Denver",
        ["Mountain Time"] = "America/Denver", ["Mountain"] = "America/Denver", ["MT"] = "America/Denver",
        ["US Mountain Standard Time"] = "America/Phoenix",
        ["Pacific Standard Time"] = "America/Los_Angeles", ["Pacific Daylight Time"] = "America/Los_Angeles",
        ["Pacific Time"] = "America/Los_Angeles", ["Pacific"] = "America/Los_Angeles", ["PT"] = "America/Los_Angeles",
        ["Alaskan Standard Time"] = "America/Anchorage", ["Hawaiian Standard Time"] = "Pacific/Honolulu",
        ["GMT Standard Time"] = "Europe/London", ["Greenwich Standard Time"] = "Atlantic/Reykjavik",
        ["W. Europe Standard Time"] = "Europe/Berlin", ["Romance Standard Time"] = "Europe/Paris",
        ["Central Europe Standard Time"] = "Europe/Budapest", ["Central European Standard Time"] = "Europe/Warsaw",
        ["E. Europe Standard Time"] = "Europe/Chisinau", ["FLE Standard Time"] = "Europe/Kiev",
        ["GTB Standard Time"] = "Europe/Bucharest", ["Russian Standard Time"] = "Europe/Moscow",
        ["India Standard Time"] = "Asia/Kolkata", ["China Standard Time"] = "Asia/Shanghai",
        ["Tokyo Standard Time"] = "Asia/Tokyo", ["Singapore Standard Time"] = "Asia/Singapore",
        ["AUS Eastern Standard Time"] = "Australia/Sydney", ["E. South America Standard Time"] = "America/Sao_Paulo",
        ["Dateline Standard Time"] = "Etc/GMT+12", ["Atlantic Standard Time"] = "America/Halifax",
        ["Argentina Standard Time"] = "America/Buenos_Aires", ["Israel Standard Time"] = "Asia/Jerusalem",
        ["South Africa Standard Time"] = "Africa/Johannesburg", ["Turkey Standard Time"] = "Europe/Istanbul",
        ["Arabian Standard Time"] = "Asia/Dubai", ["Korea Standard Time"] = "Asia/Seoul",
        ["New Zealand Standard Time"] = "Pacific/Auckland", ["tzone://Microsoft/Utc"] = "Etc/UTC",
        ["UTC"] = "Etc/UTC", ["Coordinated Universal Time"] = "Etc/UTC", ["GMT"] = "Etc/UTC",
    };

    /// <summary>The zone for a name, or null when unknown. Quotes and Outlook's "(UTC-06:00) ..." prefixes are tolerated.</summary>
    public static TimeZoneInfo? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var n = name.Trim().Trim('"').Trim();
        if (n.StartsWith('(') && n.IndexOf(')') is var close and > 0) n = n[(close + 1)..].Trim();
        if (n.EndsWith(')') && n.IndexOf('(') is var open and > 0) n = n[..open].Trim();      // "Central Time (US & Canada)"
        if (n.StartsWith('/') && n.Split('/') is { Length: >= 3 } parts) n = $"{parts[^2]}/{parts[^1]}"; // "/mozilla.org/20050126_1/America/New_York"
        if (Aliases.TryGetValue(n, out var iana)) n = iana;
        try { return TimeZoneInfo.FindSystemTimeZoneById(n); }
        catch (TimeZoneNotFoundException) { }
        catch (InvalidTimeZoneException) { }
        var fixedMinutes = MailDate.ZoneOffsetMinutes(n);
        return fixedMinutes is { } m ? TimeZoneInfo.CreateCustomTimeZone(n, TimeSpan.FromMinutes(m), n, n) : null;
    }

    /// <summary>A wall-clock time in a zone as an instant; times skipped by a DST jump move forward, ambiguous ones take standard time.</summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified)) unspecified = unspecified.AddHours(1);
        var offset = zone.IsAmbiguousTime(unspecified) ? zone.BaseUtcOffset : zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset);
    }
}
