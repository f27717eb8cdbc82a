using System.Text;

namespace MailRapport.Server.Import;

/// <summary>
/// The header fields the importer uses, unfolded and RFC 2047-decoded where they are text. Other fields are skipped
/// without allocating. Built from raw bytes that start at the first header line.
/// </summary>
public sealed class HeaderBlock
{
    public string? MessageId { get; private set; }
    public string? Date { get; private set; }
    public string? From { get; private set; }
    public string? Sender { get; private set; }
    public string? To { get; private set; }
    public string? Cc { get; private set; }
    public string? Bcc { get; private set; }
    public string? Subject { get; private set; }
    public string? InReplyTo { get; private set; }
    public string? References { get; private set; }
    public string? ListId { get; private set; }
    public string? ListUnsubscribe { get; private set; }
    public string? Precedence { get; private set; }
    public string? AutoSubmitted { get; private set; }
    /// <summary>Exchange Online Protection's verdict, with the Bulk Complaint Level (BCL) Graph scans read too.</summary>
    public string? MicrosoftAntispam { get; private set; }
    public string? XFrom { get; private set; }
    public string? ContentType { get; private set; }
    /// <summary>Number of header lines that were neither a field nor a continuation (counted, not fatal).</summary>
    public int BadLines { get; private set; }
    /// <summary>Index of the first body byte, or the input length when there is no body.</summary>
    public int BodyStart { get; private set; }
    /// <summary>True when a blank line ended the header block inside the bytes given.</summary>
    public bool Complete { get; private set; }
    public int FieldCount { get; private set; }

    /// <summary>Where the blank line ending the header block is: the index of the first body byte, or -1 when not in <paramref name="data"/>.</summary>
    public static int FindBodyStart(ReadOnlySpan<byte> data)
    {
        int i = 0;
        // A file that starts with a blank line has no headers.
        if (data.Length > 0 && data[0] == (byte)'\n') return 1;
        if (data.Length > 1 && data[0] == (byte)'\r' && data[1] == (byte)'\n') return 2;
        while (true)
        {
            int nl = data[i..].IndexOf((byte)'\n');
            if (nl < 0) return -1;
            int next = i + nl + 1;
            if (next < data.Length && data[next] == (byte)'\n') return next + 1;
            if (next + 1 < data.Length && data[next] == (byte)'\r' && data[next + 1] == (byte)'\n') return next + 2;
            i = next;
        }
    }

    public static HeaderBlock Parse(ReadOnlySpan<byte> data)
    {
        var block = new HeaderBlock();
        int bodyStart = FindBodyStart(data);
        block.Complete = bodyStart >= 0;
        block.BodyStart = bodyStart >= 0 ? bodyStart : data.Length;
        var headers = data[..block.BodyStart];

        int field = -1;          // which wanted field the current logical line belongs to (-1 = skipped)
        var value = new StringBuilder();
        int pos = 0;
        while (pos < headers.Length)
        {
            int nl = headers[pos..].IndexOf((byte)'\n');
            var line = nl < 0 ? headers[pos..] : headers[pos..(pos + nl)];
            pos = nl < 0 ? headers.Length : pos + nl + 1;
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            if (line.Length == 0) break;
            if (line[0] is (byte)' ' or (byte)'\t')
            {
                // Folded continuation (RFC 5322 §2.2.3): unfolding removes the CRLF only.
                if (field >= 0) value.Append(Text(line));
                continue;
            }
            if (field >= 0) block.Set(field, value.ToString());
            field = -1;
            value.Clear();
            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].ContainsAny((byte)' ', (byte)'\t') && !IsObsoleteFieldName(line[..colon]))
            {
                // Not a field: an mbox "From " line at the top is expected; anything else is counted.
                if (!(block.FieldCount == 0 && line.StartsWith("From "u8))) block.BadLines++;
                continue;
            }
            block.FieldCount++;
            field = FieldIndex(line[..colon].TrimEnd((byte)' ').TrimEnd((byte)'\t'));
            if (field >= 0) value.Append(Text(line[(colon + 1)..]));
        }
        if (field >= 0) block.Set(field, value.ToString());
        return block;
    }

    // obs-optional allows whitespace between the field name and the colon.
    private static bool IsObsoleteFieldName(ReadOnlySpan<byte> name)
    {
        var trimmed = name.TrimEnd((byte)' ').TrimEnd((byte)'\t');
        return trimmed.Length > 0 && !trimmed.ContainsAny((byte)' ', (byte)'\t');
    }

    private static string Text(ReadOnlySpan<byte> bytes)
    {
        // Raw 8-bit headers: UTF-8 when valid, else Latin-1 (every byte maps to a char).
        foreach (var b in bytes)
            if (b >= 0x80)
                return Utf8Strict.TryDecode(bytes) ?? Encoding.Latin1.GetString(bytes);
        return Encoding.ASCII.GetString(bytes);
    }

    private static class Utf8Strict
    {
        private static readonly UTF8Encoding Encoding = new(false, true);
        public static string? TryDecode(ReadOnlySpan<byte> bytes)
        {
            try { return Encoding.GetString(bytes); }
            catch (DecoderFallbackException) { return null; }
        }
    }

    private static int FieldIndex(ReadOnlySpan<byte> name)
    {
        Span<byte> lower = stackalloc byte[32]; // the longest wanted name, x-microsoft-antispam, has 20
        if (name.Length > lower.Length) return -1;
        for (int i = 0; i < name.Length; i++) lower[i] = (byte)(name[i] | 0x20);
        var n = lower[..name.Length];
        return n switch
        {
            _ when n.SequenceEqual("message-id"u8) => 0,
            _ when n.SequenceEqual("date"u8) => 1,
            _ when n.SequenceEqual("from"u8) => 2,
            _ when n.SequenceEqual("sender"u8) => 3,
            _ when n.SequenceEqual("to"u8) => 4,
            _ when n.SequenceEqual("cc"u8) => 5,
            _ when n.SequenceEqual("bcc"u8) => 6,
            _ when n.SequenceEqual("subject"u8) => 7,
            _ when n.SequenceEqual("in-reply-to"u8) => 8,
            _ when n.SequenceEqual("references"u8) => 9,
            _ when n.SequenceEqual("list-id"u8) => 10,
            _ when n.SequenceEqual("list-unsubscribe"u8) => 11,
            _ when n.SequenceEqual("precedence"u8) => 12,
            _ when n.SequenceEqual("auto-submitted"u8) => 13,
            _ when n.SequenceEqual("x-from"u8) => 14,
            _ when n.SequenceEqual("content-type"u8) => 15,
            _ when n.SequenceEqual("x-microsoft-antispam"u8) => 16,
            _ => -1,
        };
    }

    private void Set(int field, string raw)
    {
        var v = raw.Trim();
        // The first occurrence wins for single-instance fields; address fields accumulate (some exports split To over lines).
        switch (field)
        {
            case 0: MessageId ??= v; break;
            case 1: Date ??= v; break;
            case 2: From ??= v; break;
            case 3: Sender ??= v; break;
            case 4: To = To is null ? v : To + ", " + v; break;
            case 5: Cc = Cc is null ? v : Cc + ", " + v; break;
            case 6: Bcc = Bcc is null ? v : Bcc + ", " + v; break;
            case 7: Subject ??= EncodedWords.Decode(v); break;
            case 8: InReplyTo ??= v; break;
            case 9: References ??= v; break;
            case 10: ListId ??= v; break;
            case 11: ListUnsubscribe ??= v; break;
            case 12: Precedence ??= v; break;
            case 13: AutoSubmitted ??= v; break;
            case 14: XFrom ??= EncodedWords.Decode(v); break;
            case 15: ContentType ??= v; break;
            case 16: MicrosoftAntispam ??= v; break;
        }
    }
}
