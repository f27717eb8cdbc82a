using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MailRapport.Server.Import;

/// <summary>
/// A meeting invitation that exists only as mail text (Lotus Notes "CALENDAR ENTRY" / "INVITATION" bodies):
/// <c>Chairperson:</c>, <c>Invitees:</c>, <c>Date:</c> and <c>Time:</c> lines. People are names, not addresses;
/// the importer resolves them against the names it has seen on mail.
/// </summary>
public sealed record InvitationText(string Chairperson, IReadOnlyList<string> Invitees, DateTimeOffset Start, DateTimeOffset End)
{
    private static readonly TimeZoneInfo DefaultZone = TimeZones.Find("America/Chicago") ?? TimeZoneInfo.Utc;

    /// <summary>Cheap test on raw body bytes, so that only invitation-like bodies are decoded at all.</summary>
    public static bool LooksLikeInvitation(ReadOnlySpan<byte> body) =>
        body.IndexOf("\nChairperson:"u8) >= 0 || body.StartsWith("Chairperson:"u8);

    /// <summary>Parses the invitation lines; null unless Chairperson, Date and Time are all there and readable.</summary>
    public static InvitationText? TryParse(string body)
    {
        string? chair = null, date = null, time = null;
        var invitees = new List<string>();
        bool inInvitees = false;
        foreach (var rawLine in body.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (inInvitees)
            {
                if (line.Length > 0 && char.IsWhiteSpace(line[0]) && line.Trim().Length > 0) { AddNames(invitees, line); continue; }
                if (line.Trim().Length == 0 && invitees.Count == 0) continue;
                inInvitees = false;
            }
            if (TryField(line, "Chairperson:", out var v)) chair ??= v;
            else if (TryField(line, "Invitees:", out v)) { inInvitees = true; AddNames(invitees, v); }
            else if (TryField(line, "Date:", out v)) date ??= v;
            else if (TryField(line, "Time:", out v)) time ??= v;
        }
        if (string.IsNullOrWhiteSpace(chair) || date is null || time is null) return null;
        if (!DateTime.TryParseExact(date.Trim(), ["M/d/yyyy", "M/d/yy", "MM/dd/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return null;
        if (!TryParseTimeRange(time, out var from, out var to, out var zone)) return null;
        var z = zone ?? DefaultZone;
        var start = TimeZones.ToInstant(day + from, z);
        var end = TimeZones.ToInstant(day + to, z);
        if (end <= start) end = start.AddHours(1);
        return new InvitationText(chair.Trim(), invitees, start, end);
    }

    private static bool TryField(string line, string name, out string value)
    {
        value = "";
        if (!line.StartsWith(name, StringComparison.Ordinal)) return false;
        value = line[name.Length..].Trim();
        return true;
    }

    private static void AddNames(List<string> into, string text)
    {
        foreach (var part in text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            into.Add(part);
    }

    private static readonly Regex ClockPattern = new(@"(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?|noon)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>"4:00 PM - 4:30 PM (Central Standard Time)", "10:30 AM (CDT)", "11:30 - 1:00 PM", "1:00 to 2:00 PM (Eastern Time), ...".</summary>
    internal static bool TryParseTimeRange(string text, out TimeSpan start, out TimeSpan end, out TimeZoneInfo? zone)
    {
        start = end = default;
        zone = null;
        var t = text;
        int comma = t.IndexOf(',');
        if (comma >= 0) t = t[..comma];
        int open = t.IndexOf('(');
        if (open >= 0)
        {
            int close = t.IndexOf(')', open);
            var zoneName = close > open ? t[(open + 1)..close] : t[(open + 1)..];
            zone = TimeZones.Find(zoneName);
            t = t[..open];
        }
        var parts = Regex.Split(t, @"\s+-\s+|\s+to\s+|-", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)
            .Where(p => p.Trim().Length > 0).ToArray();
        if (parts.Length == 0) return false;
        if (!TryClock(parts[0], out var h1, out var m1, out var mer1)) return false;
        int h2 = h1 + 1, m2 = m1;
        string? mer2 = mer1;
        if (parts.Length > 1 && !TryClock(parts[1], out h2, out m2, out mer2)) return false;
        if (parts.Length == 1) mer2 = mer1;
        // "11:30 - 1:00 PM": the start takes the end's meridiem unless that would put it after the end.
        mer1 ??= mer2;
        int s = To24(h1, mer1), e = To24(h2, mer2);
        if (parts.Length > 1 && mer1 == mer2 && s > e && mer2 == "pm") s = To24(h1, "am");
        start = new TimeSpan(s, m1, 0);
        end = parts.Length > 1 ? new TimeSpan(e % 24, m2, 0) : start + TimeSpan.FromHours(1);
        if (end <= start) end = start + TimeSpan.FromHours(1);
        return true;
    }

    private static bool TryClock(string text, out int hour, out int minute, out string? meridiem)
    {
        hour = minute = 0;
        meridiem = null;
        var m = ClockPattern.Match(text.Trim());
        if (!m.Success || m.Index != 0) return false;
        hour = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        minute = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        if (m.Groups[3].Success)
        {
            var word = new StringBuilder();
            foreach (var c in m.Groups[3].Value) if (char.IsAsciiLetter(c)) word.Append(char.ToLowerInvariant(c));
            meridiem = word.ToString() == "noon" ? "pm" : word.ToString();
        }
        return hour <= 23 && minute <= 59;
    }

    private static int To24(int hour, string? meridiem) => meridiem switch
    {
        "am" => hour == 12 ? 0 : hour,
        "pm" => hour == 12 ? 12 : hour + 12,
        _ => hour,
    };
}
