using System.Text;

namespace MailRapport.Core;

/// <summary>An address as written on mail: the normalised address and the display name kept apart.</summary>
public readonly record struct MailboxAddress(string Address, string? DisplayName)
{
    public override string ToString() => DisplayName is null ? Address : $"{DisplayName} <{Address}>";
}

/// <summary>Address normalisation and parsing of address lists (RFC 5322 and its obsolete forms, leniently).</summary>
public static class EmailAddress
{
    /// <summary>
    /// The one canonical form of an address, applied where addresses enter (Graph, imported files, calendars, the CLI,
    /// the API, configuration): lower-cased and trimmed, angle brackets, "mailto:" and surrounding quotes stripped.
    /// Null when nothing address-like remains (no '@' with text on both sides) or when it may not be stored
    /// (<see cref="DisplayText.Address"/>: too long, or hiding control or bidi characters). Code behind the boundary
    /// compares addresses ordinally and never normalises again.
    /// </summary>
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (IsPlainLowerAddress(raw)) return raw.Length <= DisplayText.MaxAddressLength ? raw : null; // the common case, without allocating
        var s = raw.Trim();
        if (s.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)) s = s[7..];
        s = s.Trim().Trim('<', '>', '"', '\'', ' ', '\t').Trim();
        var at = s.LastIndexOf('@');
        if (at <= 0 || at == s.Length - 1) return null;
        if (s.Any(char.IsWhiteSpace)) return null;
        return DisplayText.Address(s.ToLowerInvariant());
    }

    private static bool IsPlainLowerAddress(string s)
    {
        int at = -1;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '@') at = i;
            else if (c is (>= 'A' and <= 'Z') or '<' or '>' or '"' or '\'' or ':' || c <= ' ' || c > '~') return false;
        }
        return at > 0 && at < s.Length - 1 && !s.StartsWith("mailto", StringComparison.Ordinal);
    }

    /// <summary>Parses one address with an optional display name: <c>"Doe, Jane" &lt;jane@x.com&gt;</c>, <c>jane@x.com (Jane)</c>, <c>jane@x.com</c>.</summary>
    public static MailboxAddress? ParseOne(string? text)
    {
        var list = ParseList(text);
        return list.Count > 0 ? list[0] : null;
    }

    /// <summary>
    /// Parses an address list: commas inside quotes, comments or angle brackets do not split;
    /// groups (<c>team: a@x, b@x;</c>) yield their members; entries without a usable address are dropped.
    /// </summary>
    public static IReadOnlyList<MailboxAddress> ParseList(string? text)
    {
        var result = new List<MailboxAddress>();
        if (string.IsNullOrWhiteSpace(text)) return result;
        foreach (var entry in SplitEntries(text))
        {
            var parsed = ParseEntry(entry);
            if (parsed is { } p) result.Add(p);
        }
        return result;
    }

    private static IEnumerable<string> SplitEntries(string text)
    {
        var sb = new StringBuilder();
        bool inQuotes = false, inAngle = false;
        int commentDepth = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inQuotes)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < text.Length) { sb.Append(text[++i]); continue; }
                if (c == '"') inQuotes = false;
                continue;
            }
            if (c == '=' && commentDepth == 0 && EncodedWordLength(text, i) is var length and > 0)
            {
                // An RFC 2047 encoded word is one atom even when a sender put a raw ',' or ':' inside it.
                sb.Append(text, i, length);
                i += length - 1;
                continue;
            }
            switch (c)
            {
                case '"': inQuotes = true; sb.Append(c); break;
                case '(' : commentDepth++; sb.Append(c); break;
                case ')' when commentDepth > 0: commentDepth--; sb.Append(c); break;
                case '<' when commentDepth == 0: inAngle = true; sb.Append(c); break;
                case '>' when commentDepth == 0: inAngle = false; sb.Append(c); break;
                case ':' when commentDepth == 0 && !inAngle:
                    // Group display name ends here: "team: a@x, b@x;". Drop the group name.
                    sb.Clear();
                    break;
                case ';' when commentDepth == 0 && !inAngle:
                case ',' when commentDepth == 0 && !inAngle:
                    if (sb.Length > 0) yield return sb.ToString();
                    sb.Clear();
                    break;
                default: sb.Append(c); break;
            }
        }
        if (sb.Length > 0) yield return sb.ToString();
    }

    /// <summary>Length of the encoded word (<c>=?charset?B|Q?text?=</c>) starting at <paramref name="start"/>, or 0.</summary>
    private static int EncodedWordLength(string text, int start)
    {
        if (start + 1 >= text.Length || text[start + 1] != '?') return 0;
        int q1 = text.IndexOf('?', start + 2);
        if (q1 < 0 || q1 + 2 >= text.Length || text[q1 + 2] != '?' || char.ToUpperInvariant(text[q1 + 1]) is not ('B' or 'Q')) return 0;
        int close = text.IndexOf("?=", q1 + 3, StringComparison.Ordinal);
        if (close < 0) return 0;
        for (int k = start; k < close; k++)
            if (char.IsWhiteSpace(text[k]) || text[k] is '<' or '>' or '"') return 0; // encoded words hold no spaces
        return close + 2 - start;
    }

    private static MailboxAddress? ParseEntry(string entry)
    {
        var e = entry.Trim();
        if (e.Length == 0) return null;
        string? display = null;
        string? address;
        int lt = LastIndexOutsideQuotes(e, '<');
        if (lt >= 0)
        {
            int gt = e.IndexOf('>', lt);
            address = gt > lt ? e[(lt + 1)..gt] : e[(lt + 1)..];
            // obs-route (RFC 5322 §4.4): <@relay1,@relay2:jane@x.com> keeps only the final address.
            int route = address.LastIndexOf(':');
            if (route >= 0 && address.TrimStart().StartsWith('@')) address = address[(route + 1)..];
            display = CleanDisplayName(e[..lt]);
        }
        else
        {
            // addr-spec with an optional trailing comment: jane@x.com (Jane Doe)
            var comment = ExtractComment(e, out var rest);
            address = rest;
            display = CleanDisplayName(comment);
        }
        var normalized = Normalize(address);
        if (normalized is null) return null;
        if (display is not null && string.Equals(Normalize(display), normalized, StringComparison.Ordinal)) display = null;
        return new MailboxAddress(normalized, display);
    }

    private static int LastIndexOutsideQuotes(string s, char target)
    {
        bool inQuotes = false;
        int found = -1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && inQuotes) { i++; continue; }
            if (s[i] == '"') inQuotes = !inQuotes;
            else if (!inQuotes && s[i] == target) found = i;
        }
        return found;
    }

    private static string? ExtractComment(string s, out string rest)
    {
        int open = s.IndexOf('(');
        int close = s.LastIndexOf(')');
        if (open >= 0 && close > open)
        {
            rest = (s[..open] + s[(close + 1)..]).Trim();
            return s[(open + 1)..close];
        }
        rest = s;
        return null;
    }

    /// <summary>Trims quotes and whitespace, unescapes quoted-pairs; null when empty.</summary>
    public static string? CleanDisplayName(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (IsPlainLowerAddress(raw)) return raw; // the common case, without allocating
        var s = raw.Trim();
        if (s.Length >= 2 && s[0] == '"' && s[^1] == '"') s = s[1..^1];
        if (s.Contains('\\'))
        {
            var sb = new StringBuilder(s.Length);
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] == '\\' && i + 1 < s.Length) i++;
                sb.Append(s[i]);
            }
            s = sb.ToString();
        }
        s = s.Trim().Trim('\'').Trim();
        return s.Length == 0 ? null : s;
    }

    /// <summary>
    /// A display name as stored next to <paramref name="address"/>: cleaned (<see cref="CleanDisplayName"/>), neutralised
    /// (<see cref="DisplayText.Name"/>), and null when it only repeats the address ("bob@x.com" &lt;bob@x.com&gt;).
    /// </summary>
    public static string? DisplayNameFor(string? raw, string address)
    {
        var clean = DisplayText.Name(CleanDisplayName(raw));
        return clean is null || string.Equals(Normalize(clean), address, StringComparison.Ordinal) ? null : clean;
    }

    /// <summary>Domain part of a normalised address.</summary>
    public static string Domain(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? "" : address[(at + 1)..];
    }

    /// <summary>Local part of a normalised address.</summary>
    public static string LocalPart(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? address : address[..at];
    }
}
