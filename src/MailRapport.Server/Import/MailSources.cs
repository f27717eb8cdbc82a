using System.Buffers;

namespace MailRapport.Server.Import;

public enum SourceKind
{
    /// <summary>One message per file (maildir, CMU Enron, .eml), or an mbox when the file starts with a "From " line.</summary>
    MessageOrMbox = 0,
    /// <summary>iCalendar (.ics).</summary>
    Calendar = 1,
}

/// <summary>A file to import, with its folder relative to the import root ('/'-separated).</summary>
public sealed record SourceFile(string Path, string Folder, SourceKind Kind);

/// <summary>A message's bytes as handed to the parser: headers and at most the start of the body.</summary>
public delegate void MessageSink(ReadOnlySpan<byte> data, string source);

/// <summary>Finds the files under an import path and reads messages out of them, keeping at most a header block and a short body prefix in memory.</summary>
public static class MailSources
{
    /// <summary>Header blocks larger than this are treated as malformed (hostile or not mail).</summary>
    public const int MaxHeaderBytes = 1024 * 1024;
    private const int FirstRead = 8 * 1024;

    /// <summary>Every importable file under <paramref name="path"/> in ordinal path order, so keys and tie-breaks are the same on every run.</summary>
    public static IReadOnlyList<SourceFile> Discover(string path)
    {
        if (File.Exists(path))
            return [new SourceFile(path, "", KindOf(path))];
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"Nothing to import at '{path}'.");
        var root = System.IO.Path.GetFullPath(path);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.System };
        var result = new List<SourceFile>();
        foreach (var file in Directory.EnumerateFiles(root, "*", options))
        {
            var relative = System.IO.Path.GetRelativePath(root, file).Replace('\\', '/');
            var segments = relative.Split('/');
            if (segments.Any(s => s.StartsWith('.'))) continue;                   // .DS_Store, .git, dot-folders
            if (segments.Length > 1 && segments[^2] == "tmp") continue;            // maildir tmp/: deliveries in progress
            var name = segments[^1];
            if (IsNotMail(name)) continue;
            var folderSegments = segments[..^1];
            if (folderSegments.Length > 0 && folderSegments[^1] is "cur" or "new") folderSegments = folderSegments[..^1]; // standard maildir
            result.Add(new SourceFile(file, string.Join('/', folderSegments), KindOf(file)));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return result;
    }

    private static SourceKind KindOf(string path) =>
        path.EndsWith(".ics", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ical", StringComparison.OrdinalIgnoreCase)
            ? SourceKind.Calendar : SourceKind.MessageOrMbox;

    private static bool IsNotMail(string name)
    {
        var ext = System.IO.Path.GetExtension(name).ToLowerInvariant();
        return ext is ".db" or ".db-wal" or ".db-shm" or ".json" or ".md" or ".py" or ".zip" or ".gz" or ".pdf" or ".index" or ".msf";
    }

    /// <summary>
    /// Reads one file: a single message (only its header block and a body prefix are read), or every message of an mbox
    /// (mboxo or mboxrd: the "From " separator must follow a blank line; ">From " quoting lives in bodies, which are skipped).
    /// Returns the number of messages handed to <paramref name="sink"/>; a header block over the size limit is passed truncated,
    /// so the parser reports it.
    /// </summary>
    public static int ReadMessages(string path, MessageSink sink)
    {
        // RandomAccess on a raw handle: no FileStream buffer, one or two reads for a typical message file.
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(FirstRead);
        try
        {
            int length = ReadAt(handle, buffer, 0, FirstRead);
            if (length >= 5 && buffer.AsSpan(0, 5).SequenceEqual("From "u8))
            {
                using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0) { Position = 0 };
                return ReadMbox(stream, path, sink);
            }
            int bodyStart;
            while ((bodyStart = HeaderBlock.FindBodyStart(buffer.AsSpan(0, length))) < 0 && length == buffer.Length && length < MaxHeaderBytes)
                length = Grow(handle, ref buffer, length);
            // Keep a short body prefix so that invitation text can be recognised; the rest of the body is never read.
            if (bodyStart >= 0 && length - bodyStart < MailParser.InvitationScanBytes && length == buffer.Length)
                length = Grow(handle, ref buffer, length);
            sink(buffer.AsSpan(0, length), path);
            return 1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Grow(Microsoft.Win32.SafeHandles.SafeFileHandle handle, ref byte[] buffer, int length)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
        return length + ReadAt(handle, buffer, length, buffer.Length - length);
    }

    private static int ReadAt(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] buffer, int offset, int count)
    {
        int total = 0;
        while (total < count)
        {
            int r = RandomAccess.Read(handle, buffer.AsSpan(offset + total, count - total), offset + total);
            if (r == 0) break;
            total += r;
        }
        return total;
    }

    private static int ReadMbox(Stream stream, string path, MessageSink sink)
    {
        var reader = new LineReader(stream);
        var message = new ArrayBufferWriter<byte>(8192);
        int count = 0;
        bool inHeaders = false, haveMessage = false, previousBlank = true;
        int bodyBytes = 0;
        while (reader.TryReadLine(out var line))
        {
            var content = line.Length > 0 && line[^1] == (byte)'\n' ? line[..^1] : line;
            if (content.Length > 0 && content[^1] == (byte)'\r') content = content[..^1];
            if (previousBlank && content.StartsWith("From "u8))
            {
                if (haveMessage) { sink(message.WrittenSpan, $"{path}#{count}"); count++; }
                message.Clear();
                haveMessage = true;
                inHeaders = true;
                bodyBytes = 0;
                previousBlank = false;
                continue; // the envelope line is not a header
            }
            previousBlank = content.Length == 0;
            if (!haveMessage) continue;
            if (inHeaders)
            {
                if (message.WrittenCount + line.Length <= MaxHeaderBytes) message.Write(line);
                if (content.Length == 0) inHeaders = false;
            }
            else if (bodyBytes < MailParser.InvitationScanBytes)
            {
                message.Write(line);
                bodyBytes += line.Length;
            }
        }
        if (haveMessage) { sink(message.WrittenSpan, $"{path}#{count}"); count++; }
        return count;
    }

    /// <summary>Reads '\n'-terminated lines as spans over a reusable buffer; very long lines are cut into pieces.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] buffer = new byte[64 * 1024];
        private int start, end;
        private bool eof;

        public bool TryReadLine(out ReadOnlySpan<byte> line)
        {
            while (true)
            {
                int nl = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (nl >= 0)
                {
                    line = buffer.AsSpan(start, nl + 1);
                    start += nl + 1;
                    return true;
                }
                if (eof || (start == 0 && end == buffer.Length))
                {
                    if (start == end) { line = default; return false; }
                    line = buffer.AsSpan(start, end - start); // last line without '\n', or a line longer than the buffer
                    start = end;
                    return true;
                }
                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                int r = stream.Read(buffer, end, buffer.Length - end);
                if (r == 0) eof = true;
                else end += r;
            }
        }
    }
}
