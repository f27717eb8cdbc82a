using System.Text;

namespace MailRapport.Server.Import;

/// <summary>
/// The line reader of calendar files: cuts the text into VEVENT and VTIMEZONE blocks without holding the file, and
/// never keeps more than a bounded line or block (a larger one is marked too large, its text dropped).
/// </summary>
internal static class ICalendarBlocks
{
    public sealed record Block(string Text, bool IsTimeZone, bool HasRecurrenceId, bool TooLarge);

    /// <summary>
    /// Top-level VEVENT and VTIMEZONE blocks, with their nested parts (VALARM, STANDARD/DAYLIGHT); everything else is
    /// passed over. Without <paramref name="keepAllEvents"/> only zones and RECURRENCE-ID events carry their text.
    /// </summary>
    public static IEnumerable<Block> Read(TextReader reader, bool keepAllEvents, int maxLineChars, int maxEventChars)
    {
        var lines = new BoundedLineReader(reader, maxLineChars);
        StringBuilder? current = null;
        bool isZone = false, hasRid = false, tooLarge = false;
        int depth = 0;
        while (lines.ReadLine() is { } line)
        {
            if (current is null)
            {
                if (line.Equals("BEGIN:VEVENT", StringComparison.OrdinalIgnoreCase) || line.Equals("BEGIN:VTIMEZONE", StringComparison.OrdinalIgnoreCase))
                {
                    current = new StringBuilder(1024).Append(line).Append("\r\n");
                    isZone = line.EndsWith("VTIMEZONE", StringComparison.OrdinalIgnoreCase);
                    hasRid = false;
                    tooLarge = lines.LastLineCut;
                    depth = 0;
                }
                continue;
            }
            tooLarge |= lines.LastLineCut;
            if (!tooLarge)
            {
                if (current.Length + line.Length > maxEventChars) { tooLarge = true; current.Clear(); }
                else current.Append(line).Append("\r\n");
            }
            if (line.StartsWith("RECURRENCE-ID", StringComparison.OrdinalIgnoreCase)) hasRid = true;
            if (line.StartsWith("BEGIN:", StringComparison.OrdinalIgnoreCase)) depth++;
            else if (line.StartsWith("END:", StringComparison.OrdinalIgnoreCase))
            {
                if (depth > 0) { depth--; continue; }
                yield return new Block(tooLarge || !(keepAllEvents || isZone || hasRid) ? "" : current.ToString(), isZone, hasRid, tooLarge);
                current = null;
            }
        }
        if (current is not null && !isZone) yield return new Block("", false, hasRid, TooLarge: true); // cut off at the end of the file
    }

    /// <summary>Physical lines, each at most a given length: the rest of a longer line is read past without being kept.</summary>
    private sealed class BoundedLineReader(TextReader reader, int maxChars)
    {
        private readonly char[] buffer = new char[1 << 16];
        private readonly StringBuilder line = new();
        private int position, length;

        public bool LastLineCut { get; private set; }

        public string? ReadLine()
        {
            line.Clear();
            LastLineCut = false;
            bool any = false;
            while (true)
            {
                if (position == length)
                {
                    length = reader.Read(buffer, 0, buffer.Length);
                    position = 0;
                    if (length == 0) return any ? Finish() : null;
                }
                any = true;
                int newline = Array.IndexOf(buffer, '\n', position, length - position);
                int end = newline < 0 ? length : newline;
                int take = Math.Min(end - position, maxChars - line.Length);
                if (take > 0) line.Append(buffer, position, take);
                if (end - position > take) LastLineCut = true;
                position = newline < 0 ? length : newline + 1;
                if (newline >= 0) return Finish();
            }
        }

        private string Finish()
        {
            if (line.Length > 0 && line[^1] == '\r') line.Length--;
            return line.ToString();
        }
    }
}
