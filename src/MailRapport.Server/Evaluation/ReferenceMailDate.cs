using System.Text.RegularExpressions;

namespace MailRapport.Server.Evaluation;

/// <summary>
/// enron_eval.py's <c>parse_date</c>: Python's <c>email.utils.parsedate_tz</c> (ported rule for rule, with its
/// two-digit years, named zones and lenient layouts), then a written four-digit year taken literally.
/// </summary>
internal static partial class ReferenceMailDate
{
    private static readonly string[] MonthNames =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
         "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
    private static readonly string[] DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    private static readonly Dictionary<string, int> Zones = new(StringComparer.Ordinal)
    {
        ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0, ["AST"] = -400, ["ADT"] = -300, ["EST"] = -500, ["EDT"] = -400,
        ["CST"] = -600, ["CDT"] = -500, ["MST"] = -700, ["MDT"] = -600, ["PST"] = -800, ["PDT"] = -700,
    };

    [GeneratedRegex(@"\b\d{1,2}\s+[A-Za-z]{3,}\.?\s+(\d{2,4})\b")]
    private static partial Regex WrittenYear();

    /// <summary>The instant in UTC, or null when Python would give None.</summary>
    public static DateTime? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (ParseTz(value) is not { } t) return null;
        long year = t.Year;
        var m = WrittenYear().Match(value);
        if (m.Success && m.Groups[1].Value.Length == 4 && PythonText.TryParseInt(m.Groups[1].Value, out var written)) year = written;
        if (year < 1 || year > 9999 || t.Month < 1 || t.Month > 12 || t.Day < 1 || t.Day > DateTime.DaysInMonth((int)year, (int)t.Month)
            || t.Hour < 0 || t.Hour > 23 || t.Minute < 0 || t.Minute > 59 || t.Second < 0) return null;
        var local = new DateTime((int)year, (int)t.Month, (int)t.Day, (int)t.Hour, (int)t.Minute, (int)Math.Min(t.Second, 59), DateTimeKind.Utc);
        var ticks = local.Ticks - t.OffsetSeconds * TimeSpan.TicksPerSecond;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) return null; // Python: OverflowError
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    private readonly record struct Parts(long Year, long Month, long Day, long Hour, long Minute, long Second, long OffsetSeconds);

    /// <summary>email._parseaddr._parsedate_tz, with parsedate_tz's "None offset means 0".</summary>
    private static Parts? ParseTz(string text)
    {
        var data = PythonText.Split(text);
        if (data.Count == 0) return null;
        if (data[0].EndsWith(',') || DayNames.Contains(PythonText.Lower(data[0])))
            data.RemoveAt(0);
        else
        {
            int i = data[0].LastIndexOf(',');
            if (i >= 0) data[0] = data[0][(i + 1)..];
        }
        if (data.Count == 3)
        {
            var stuff = data[0].Split('-');
            if (stuff.Length == 3) data = [.. stuff, .. data.Skip(1)];
        }
        if (data.Count == 4)
        {
            var s = data[3];
            int i = s.IndexOf('+');
            if (i == -1) i = s.IndexOf('-');
            if (i > 0) { data[3] = s[..i]; data.Add(s[i..]); }
            else data.Add("");
        }
        if (data.Count < 5) return null;
        string dd = data[0], mm = data[1], yy = data[2], tm = data[3], tz = data[4];
        if (dd.Length == 0 || mm.Length == 0 || yy.Length == 0) return null;
        mm = PythonText.Lower(mm);
        int month = Array.IndexOf(MonthNames, mm);
        if (month < 0)
        {
            (dd, mm) = (mm, PythonText.Lower(dd));
            month = Array.IndexOf(MonthNames, mm);
            if (month < 0) return null;
        }
        month += 1;
        if (month > 12) month -= 12;
        if (dd.EndsWith(',')) dd = dd[..^1];
        if (yy.IndexOf(':') > 0) (yy, tm) = (tm, yy);
        if (yy.EndsWith(','))
        {
            yy = yy[..^1];
            if (yy.Length == 0) return null;
        }
        if (!char.IsDigit(yy[0])) (yy, tz) = (tz, yy);
        if (tm.EndsWith(',')) tm = tm[..^1];
        var tmParts = tm.Split(':');
        string thh, tmm, tss;
        if (tmParts.Length == 2) (thh, tmm, tss) = (tmParts[0], tmParts[1], "0");
        else if (tmParts.Length == 3) (thh, tmm, tss) = (tmParts[0], tmParts[1], tmParts[2]);
        else if (tmParts.Length == 1 && tmParts[0].Contains('.'))
        {
            var dotted = tmParts[0].Split('.');
            if (dotted.Length == 2) (thh, tmm, tss) = (dotted[0], dotted[1], "0");
            else if (dotted.Length == 3) (thh, tmm, tss) = (dotted[0], dotted[1], dotted[2]);
            else return null;
        }
        else return null;
        if (!PythonText.TryParseInt(yy, out var year) || !PythonText.TryParseInt(dd, out var day) || !PythonText.TryParseInt(thh, out var hour)
            || !PythonText.TryParseInt(tmm, out var minute) || !PythonText.TryParseInt(tss, out var second)) return null;
        if (year < 100) year += year > 68 ? 1900 : 2000;
        long? offset = null;
        tz = tz.ToUpperInvariant();
        if (Zones.TryGetValue(tz, out var named)) offset = named;
        else
        {
            if (PythonText.TryParseInt(tz, out var numeric)) offset = numeric;
            if (offset == 0 && tz.StartsWith('-')) offset = null;
        }
        long seconds = 0;
        if (offset is { } o && o != 0)
        {
            long sign = o < 0 ? -1 : 1;
            o = Math.Abs(o);
            seconds = sign * (o / 100 * 3600 + o % 100 * 60);
        }
        return new Parts(year, month, day, hour, minute, second, seconds);
    }
}
