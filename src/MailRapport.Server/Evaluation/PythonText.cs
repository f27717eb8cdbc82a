using System.Text;

namespace MailRapport.Server.Evaluation;

/// <summary>
/// Python's string rules where ../shared/eval/enron_eval.py relies on them (str.strip/split/lower, int()), so the
/// reference reader sees exactly the tokens the script sees.
/// </summary>
internal static class PythonText
{
    /// <summary>str.isspace(): bidi classes WS, B, S and category Zs.</summary>
    public static bool IsSpace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or '\x1c' or '\x1d' or '\x1e' or '\x1f' or ' ' or '\x85' or '\xa0' => true,
        '\u1680' or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' => true,
        >= '\u2000' and <= '\u200a' => true,
        _ => false,
    };

    public static string Strip(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return start == 0 && end == s.Length ? s : s[start..end];
    }

    /// <summary>str.strip(chars).</summary>
    public static string Strip(string s, string chars)
    {
        int start = 0, end = s.Length;
        while (start < end && chars.Contains(s[start])) start++;
        while (end > start && chars.Contains(s[end - 1])) end--;
        return s[start..end];
    }

    /// <summary>str.split() without arguments: runs of whitespace separate, no empty tokens.</summary>
    public static List<string> Split(string s)
    {
        var parts = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            if (i > start) parts.Add(s[start..i]);
        }
        return parts;
    }

    /// <summary>" ".join(s.split()).</summary>
    public static string Squash(string s) => string.Join(' ', Split(s));

    /// <summary>str.lower(); the one full-case mapping that adds a character (U+0130) is kept as Python has it.</summary>
    public static string Lower(string s)
    {
        var lower = s.ToLowerInvariant();
        return s.Contains('\u0130') ? LowerDotted(s) : lower;
    }

    private static string LowerDotted(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        foreach (var c in s) sb.Append(c == '\u0130' ? "i\u0307" : char.ToLowerInvariant(c).ToString());
        return sb.ToString();
    }

    /// <summary>int(s) for ASCII digits: surrounding whitespace, an optional sign, single underscores between digits.</summary>
    public static bool TryParseInt(string s, out long value)
    {
        value = 0;
        s = Strip(s);
        int i = 0;
        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-')) { negative = s[i] == '-'; i++; }
        if (i >= s.Length || !char.IsAsciiDigit(s[i])) return false;
        long v = 0;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '_' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]) && char.IsAsciiDigit(s[i - 1])) continue;
            if (!char.IsAsciiDigit(c)) return false;
            if (v > (long.MaxValue - 9) / 10) return false; // far outside any date field; Python would fail later anyway
            v = v * 10 + (c - '0');
        }
        value = negative ? -v : v;
        return true;
    }
}
