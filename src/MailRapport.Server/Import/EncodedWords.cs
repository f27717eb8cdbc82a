using System.Text;

namespace MailRapport.Server.Import;

/// <summary>RFC 2047 encoded words (<c>=?charset?B|Q?text?=</c>) in header values; unknown charsets fall back to Latin-1.</summary>
public static class EncodedWords
{
    public static string Decode(string value)
    {
        if (!value.Contains("=?", StringComparison.Ordinal)) return value;
        var sb = new StringBuilder(value.Length);
        // Adjacent words in one charset are decoded together: a sender may split a multi-byte character across two
        // words (=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?= is "café"), as MimeKit also reads it.
        var pending = new List<byte>();
        string? pendingCharset = null;
        void Flush()
        {
            if (pendingCharset is null) return;
            sb.Append(GetEncoding(pendingCharset).GetString(pending.ToArray()));
            pending.Clear();
            pendingCharset = null;
        }
        int i = 0;
        int lastWordEnd = -1; // whitespace between two adjacent encoded words is dropped (RFC 2047 §6.2)
        while (i < value.Length)
        {
            int start = value.IndexOf("=?", i, StringComparison.Ordinal);
            if (start < 0) { Flush(); sb.Append(value, i, value.Length - i); break; }
            if (TryReadWord(value, start, out var charset, out var bytes, out int end))
            {
                var between = value.AsSpan(i, start - i);
                bool adjacent = lastWordEnd == i && between.IsWhiteSpace();
                if (!adjacent || !string.Equals(pendingCharset, charset, StringComparison.OrdinalIgnoreCase))
                {
                    Flush();
                    if (!adjacent) sb.Append(between);
                }
                pendingCharset = charset;
                pending.AddRange(bytes);
                i = end;
                lastWordEnd = end;
            }
            else
            {
                Flush();
                sb.Append(value, i, start + 2 - i);
                i = start + 2;
            }
        }
        Flush();
        return sb.ToString();
    }

    private static bool TryReadWord(string s, int start, out string charset, out byte[] bytes, out int end)
    {
        charset = "";
        bytes = [];
        end = start;
        int q1 = s.IndexOf('?', start + 2);
        if (q1 < 0 || q1 + 2 >= s.Length || s[q1 + 2] != '?') return false;
        char mode = char.ToUpperInvariant(s[q1 + 1]);
        if (mode is not ('B' or 'Q')) return false;
        int close = s.IndexOf("?=", q1 + 3, StringComparison.Ordinal);
        if (close < 0) return false;
        charset = s[(start + 2)..q1];
        int star = charset.IndexOf('*'); // RFC 2231 language suffix: charset*lang
        if (star >= 0) charset = charset[..star];
        var text = s.AsSpan(q1 + 3, close - q1 - 3);
        if (mode == 'B')
        {
            bytes = FromBase64Lenient(text);
        }
        else
        {
            var buffer = new List<byte>(text.Length);
            for (int k = 0; k < text.Length; k++)
            {
                char c = text[k];
                if (c == '_') buffer.Add(0x20);
                else if (c == '=' && k + 2 < text.Length && IsHex(text[k + 1]) && IsHex(text[k + 2]))
                {
                    buffer.Add((byte)(HexValue(text[k + 1]) * 16 + HexValue(text[k + 2])));
                    k += 2;
                }
                else buffer.Add((byte)c);
            }
            bytes = buffer.ToArray();
        }
        end = close + 2;
        return true;
    }

    private static byte[] FromBase64Lenient(ReadOnlySpan<char> text)
    {
        var clean = new StringBuilder(text.Length + 3);
        foreach (var c in text)
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/') clean.Append(c);
        while (clean.Length % 4 != 0) clean.Append('=');
        try { return Convert.FromBase64String(clean.ToString()); }
        catch (FormatException) { return []; }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
    private static int HexValue(char c) => c <= '9' ? c - '0' : (char.ToUpperInvariant(c) - 'A' + 10);

    /// <summary>The encoding for a MIME charset name; Latin-1 when unknown (never throws).</summary>
    public static Encoding GetEncoding(string charset)
    {
        var name = charset.Trim().Trim('"').ToLowerInvariant();
        switch (name)
        {
            case "utf-8" or "utf8": return Encoding.UTF8;
            case "us-ascii" or "ascii" or "ansi_x3.4-1968" or "iso-8859-1" or "latin1" or "iso8859-1": return Encoding.Latin1;
        }
        try { return Encoding.GetEncoding(name); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException) { }
        // Windows and ISO code pages ship with .NET but need the provider; use it directly (no global registration).
        return System.Text.CodePagesEncodingProvider.Instance.GetEncoding(name) ?? Encoding.Latin1;
    }
}
