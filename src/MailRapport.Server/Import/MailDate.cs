using System.Globalization;

namespace MailRapport.Server.Import;

public enum DateQuality
{
    Ok = 0,
    /// <summary>No Date header at all.</summary>
    Missing = 1,
    /// <summary>A Date header that no known form matches.</summary>
    Unparseable = 2,
    /// <summary>Parsed, but a placeholder or impossible instant (1979-12-31, year 0001, far future).</summary>
    Implausible = 3,
}

/// <summary>
/// Lenient RFC 5322 date parsing including the obsolete forms (two- and three-digit years, named and military
/// zones, missing day of week or seconds, comments) and a few common non-RFC forms seen in exported mail.
/// </summary>
public static class MailDate
{
    /// <summary>Earliest instant trusted as a real send time: Enron-style placeholders sit at 1979-12-31 (PST, i.e. 1980-01-01 UTC) or year 1.</summary>
    public static readonly DateTimeOffset EarliestPlausible = new(1980, 1, 2, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static readonly Dictionary<string, int> ZoneMinutes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0, ["WET"] = 0, ["BST"] = 60, ["CET"] = 60, ["MET"] = 60,
        ["CEST"] = 120, ["MEST"] = 120, ["EET"] = 120, ["EEST"] = 180, ["MSK"] = 180, ["IST"] = 330, ["JST"] = 540,
        ["EST"] = -300, ["EDT"] = -240, ["CST"] = -360, ["CDT"] = -300, ["MST"] = -420, ["MDT"] = -360,
        ["PST"] = -480, ["PDT"] = -420, ["AKST"] = -540, ["AKDT"] = -480, ["HST"] = -600,
        ["AEST"] = 600, ["AEDT"] = 660,
    };

    public static DateQuality TryParse(string? text, DateTimeOffset latestPlausible, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return DateQuality.Missing;
        if (!TryParseRfc(text, out value) && !TryParseFallback(text, out value)) return DateQuality.Unparseable;
        if (value < EarliestPlausible || value > latestPlausible) return DateQuality.Implausible;
        return DateQuality.Ok;
    }

    private static bool TryParseRfc(string text, out DateTimeOffset value)
    {
        value = default;
        int? day = null, month = null, year = null, hour = null, minute = null, second = null;
        int? offset = null;
        foreach (var raw in Tokenize(text))
        {
            var t = raw.TrimEnd('.');
            if (t.Length == 0) continue;
            if (hour is null && t.Contains(':'))
            {
                var parts = t.Split(':');
                if (parts.Length is < 2 or > 3) return false;
                if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                    || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var mi)) return false;
                int s = 0;
                if (parts.Length == 3)
                {
                    var sec = parts[2];
                    int dot = sec.IndexOf('.');
                    if (dot >= 0) sec = sec[..dot];
                    if (!int.TryParse(sec, NumberStyles.None, CultureInfo.InvariantCulture, out s)) return false;
                }
                hour = h; minute = mi; second = s;
                continue;
            }
            if ((t[0] is '+' or '-') && t.Length == 5 && int.TryParse(t.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var hhmm))
            {
                if (offset is null)
                {
                    int minutes = hhmm / 100 * 60 + hhmm % 100;
                    offset = t[0] == '-' ? -minutes : minutes;
                }
                continue;
            }
            if (char.IsAsciiDigit(t[0]))
            {
                if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
                if (day is null && t.Length <= 2 && month is null) day = n;
                else if (day is null && t.Length <= 2 && year is null) day = n; // "Jan 5 2001"
                else if (year is null) year = t.Length switch { 2 => n < 50 ? 2000 + n : 1900 + n, 3 => 1900 + n, _ => n };
                continue;
            }
            if (t.Length >= 3 && month is null)
            {
                int m = Array.IndexOf(Months, t[..3].ToLowerInvariant());
                if (m >= 0 && (t.Length == 3 || t.Length >= 3 && char.IsAsciiLetter(t[3]))) { month = m + 1; continue; }
            }
            if (hour is not null && offset is null)
            {
                if (ZoneMinutes.TryGetValue(t, out var z)) offset = z;
                else if (t.Length == 1 && char.IsAsciiLetter(t[0])) offset = 0; // military zones: unreliable (RFC 5322 §4.3), treat as UTC
                else if (t.Equals("AM", StringComparison.OrdinalIgnoreCase) && hour == 12) hour = 0;
                else if (t.Equals("PM", StringComparison.OrdinalIgnoreCase) && hour < 12) hour += 12;
            }
            // Anything else (day names, stray words) is ignored.
        }
        if (day is null || month is null || year is null) return false;
        hour ??= 0; minute ??= 0; second ??= 0;
        if (second == 60) second = 59; // leap second
        if (year < 1 || year > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year.Value, month.Value)
            || hour > 23 || minute > 59 || second > 59) return false;
        var off = TimeSpan.FromMinutes(offset ?? 0);
        if (Math.Abs(off.TotalHours) > 14) off = TimeSpan.Zero;
        try
        {
            value = new DateTimeOffset(year.Value, month.Value, day.Value, hour.Value, minute.Value, second.Value, off);
            return true;
        }
        catch (ArgumentOutOfRangeException) { return false; } // year 0001 with a negative offset underflows
    }

    private static IEnumerable<string> Tokenize(string text)
    {
        int depth = 0;
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : ' ';
            if (c == '(') { depth++; if (start >= 0) { yield return text[start..i]; start = -1; } continue; }
            if (c == ')') { if (depth > 0) depth--; continue; }
            if (depth > 0) continue;
            bool separator = char.IsWhiteSpace(c) || c == ',';
            if (separator)
            {
                if (start >= 0) { yield return text[start..i]; start = -1; }
            }
            else if (start < 0) start = i;
        }
    }

    private static readonly string[] FallbackFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd",
        "M/d/yyyy h:mm:ss tt", "M/d/yyyy h:mm tt", "M/d/yyyy H:mm", "M/d/yyyy",
    ];

    private static bool TryParseFallback(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text.Trim(), FallbackFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value);

    /// <summary>Offset for a zone word such as "CDT" or "Central"; null when unknown.</summary>
    internal static int? ZoneOffsetMinutes(string zone) => ZoneMinutes.TryGetValue(zone, out var z) ? z : null;
}
