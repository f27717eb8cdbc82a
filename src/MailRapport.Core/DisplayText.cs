using System.Text;

namespace MailRapport.Core;

/// <summary>
/// Neutralises display names and addresses where they enter the product (Graph scans and file imports alike), so what
/// is stored and shown cannot hide text (NUL, other control characters), make a name read as another (bidi overrides
/// and isolates such as U+202E), or fill the store and the pane (150 KB names).
/// </summary>
public static class DisplayText
{
    /// <summary>Longest display name kept; longer names are cut (never inside a surrogate pair).</summary>
    public const int MaxNameLength = 256;
    /// <summary>Longest address accepted: RFC 3696 errata / RFC 5321 limits (64 local + @ + 255 domain).</summary>
    public const int MaxAddressLength = 320;

    /// <summary>
    /// A display name safe to store and show: control characters become spaces, bidi controls and other invisible
    /// format characters are removed, runs of white space collapse, and the result is at most
    /// <see cref="MaxNameLength"/> characters. Null when nothing visible remains.
    /// </summary>
    public static string? Name(string? raw)
    {
        if (string.IsNullOrEmpty(raw)) return null;
        if (raw.Length <= MaxNameLength && IsPlain(raw)) return raw.Trim() is { Length: > 0 } t ? t : null;
        var sb = new StringBuilder(Math.Min(raw.Length, MaxNameLength + 1));
        bool space = false;
        for (int i = 0; i < raw.Length && sb.Length < MaxNameLength; i++)
        {
            char c = raw[i];
            if (char.IsControl(c) || char.IsWhiteSpace(c)) { space = sb.Length > 0; continue; }
            if (IsInvisibleFormat(c)) continue;
            if (char.IsSurrogate(c))
            {
                // Keep well-formed pairs whole, and only when both halves fit; drop lone halves.
                if (char.IsHighSurrogate(c) && i + 1 < raw.Length && char.IsLowSurrogate(raw[i + 1]))
                {
                    if (sb.Length + (space ? 1 : 0) + 2 > MaxNameLength) break;
                    if (space) { sb.Append(' '); space = false; }
                    sb.Append(c).Append(raw[++i]);
                }
                continue;
            }
            if (space) { sb.Append(' '); space = false; if (sb.Length >= MaxNameLength) break; }
            sb.Append(c);
        }
        return sb.Length == 0 ? null : sb.ToString();
    }

    /// <summary>
    /// A normalised address as stored, or null when it cannot be one: longer than <see cref="MaxAddressLength"/>, or
    /// holding control, bidi or other invisible characters. Such addresses are refused rather than cleaned, so a
    /// crafted address can never be made to equal (and merge with) a real one.
    /// </summary>
    public static string? Address(string? normalized)
    {
        if (string.IsNullOrEmpty(normalized) || normalized.Length > MaxAddressLength) return null;
        foreach (var c in normalized)
            if (char.IsControl(c) || char.IsWhiteSpace(c) || IsInvisibleFormat(c))
                return null;
        return normalized;
    }

    private static bool IsPlain(string s)
    {
        foreach (var c in s)
            if (c < ' ' || c >= '\u007F' && (char.IsControl(c) || IsInvisibleFormat(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c)))
                return false;
        return true;
    }

    /// <summary>
    /// Bidi marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A–202E, U+2066–2069) and the other
    /// zero-width format characters (Unicode category Cf: U+200B–200D, U+2060–2064, U+FEFF, U+00AD, tag characters...).
    /// </summary>
    private static bool IsInvisibleFormat(char c) =>
        c >= '\u00AD' && (c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')
            || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
}
