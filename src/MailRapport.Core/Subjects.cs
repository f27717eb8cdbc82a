using System.Text;

namespace MailRapport.Core;

/// <summary>
/// The one list of reply and forward prefixes, for threading (import) and reply detection (import and Graph).
/// Outlook writes them translated: German AW/WG, Nordic SV/VS, Dutch Antw, French Réf/TR, Italian R/RIF, Polish Odp,
/// Latvian Atb, Spanish RV/ENC.
/// </summary>
public static class Subjects
{
    private static readonly string[] ReplyPrefixes = ["re", "aw", "sv", "vs", "antw", "odp", "rif", "ref", "réf", "r", "atb"];
    private static readonly string[] ForwardPrefixes = ["fw", "fwd", "wg", "tr", "rv", "enc"];

    /// <summary>A prefix ends in a colon within this many characters ("antw[12]:" fits).</summary>
    private const int MaxPrefixLength = 8;

    /// <summary>Lower case, whitespace collapsed: copies of one mail compare equal, a reply does not.</summary>
    public static string Collapse(string subject)
    {
        var sb = new StringBuilder(subject.Length);
        bool space = false;
        foreach (var c in subject.Trim())
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>The thread subject: reply/forward prefixes ("Re:", "FW:", "Re[2]:", "AW:") and list tags removed, collapsed.</summary>
    public static string Normalize(string subject)
    {
        var s = Collapse(subject);
        while (true)
        {
            var before = s;
            if (s.StartsWith('[') && s.IndexOf(']') is var close and > 0)
            {
                // "[list] Subject" drops the list tag; "[Fwd: Subject]" (the whole subject bracketed) keeps what is inside.
                var rest = s[(close + 1)..].TrimStart();
                s = rest.Length > 0 ? rest : s[1..close].Trim();
            }
            if (Prefix(s) is { } word && (ReplyPrefixes.Contains(word) || ForwardPrefixes.Contains(word)))
                s = s[(s.IndexOf(':') + 1)..].TrimStart();
            if (s == before) return s;
        }
    }

    /// <summary>True when the subject starts with a reply prefix ("RE:", "Re[2]:", "AW :"); a forward is not a reply.</summary>
    public static bool HasReplyPrefix(string? subject) =>
        subject is not null && Prefix(subject.TrimStart().ToLowerInvariant()) is { } word && ReplyPrefixes.Contains(word);

    /// <summary>The lower-cased word before a leading colon, without a "[2]" or "(2)" counter; null when there is none.</summary>
    private static string? Prefix(string lower)
    {
        int colon = lower.IndexOf(':');
        if (colon <= 0 || colon > MaxPrefixLength) return null;
        var word = lower[..colon].Trim();
        int bracket = word.IndexOfAny(['[', '(']);
        return bracket > 0 ? word[..bracket].TrimEnd() : word;
    }
}
