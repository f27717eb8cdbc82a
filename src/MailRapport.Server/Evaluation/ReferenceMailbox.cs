using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MailRapport.Server.Evaluation;

/// <summary>One message as the independent check sees it: when, who sent it, To + Cc (de-duplicated, in order).</summary>
public sealed record ReferenceMessage(DateTime Timestamp, string From, IReadOnlyList<string> Recipients);

/// <summary>
/// A mailbox read the way ../shared/eval/enron_eval.py reads it (load_mailbox, infer_owner), not the way the product's
/// import does: the labels and baselines of the evaluation then match the independent script exactly, and the product's
/// own import and model are what is being judged. Files in os.walk order (sorted), header block split at the first
/// blank line, first value of each header, duplicates dropped by Message-ID and then by content, dates outside
/// [1990-01-01, 2005-12-31) skipped.
/// </summary>
public sealed partial class ReferenceMailbox
{
    public static readonly DateTime ValidFrom = new(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime ValidTo = new(2005, 12, 31, 0, 0, 0, DateTimeKind.Utc);

    public required string Path { get; init; }
    public required IReadOnlyList<ReferenceMessage> Messages { get; init; }
    /// <summary>The inferred owner first, then the aliases (dominant senders of other sent folders).</summary>
    public required IReadOnlyList<string> Owners { get; init; }
    public int Files { get; init; }
    public int Duplicates { get; init; }
    public int Skipped { get; init; }

    [GeneratedRegex(@"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Address();

    [GeneratedRegex(@"<([^<>]*)>\s*$")]
    private static partial Regex AngleAddress();

    private sealed record FileRead(Dictionary<string, string>? Headers, string? SentFolder, List<string> From, List<string> To, List<string> Cc, string? Fingerprint);

    public static ReferenceMailbox Load(string maildir)
    {
        var files = Walk(maildir);
        var reads = new FileRead[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => reads[i] = ReadFile(maildir, files[i]));

        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var seenPrints = new HashSet<string>(StringComparer.Ordinal);
        var sentFrom = new List<(string Folder, Counter Senders)>();
        var messages = new List<ReferenceMessage>();
        int duplicates = 0, skipped = 0;
        foreach (var r in reads)
        {
            if (r.Headers is not { } h) { skipped++; continue; }
            if (r.SentFolder is { } folder && r.From.Count > 0)
            {
                int i = sentFrom.FindIndex(f => f.Folder == folder);
                if (i < 0) { sentFrom.Add((folder, new Counter())); i = sentFrom.Count - 1; }
                sentFrom[i].Senders.Add(r.From[0], 1);
            }
            var id = PythonText.Strip(h.GetValueOrDefault("message-id", ""));
            if (id.Length > 0 && !seenIds.Add(id)) { duplicates++; continue; }
            if (!seenPrints.Add(r.Fingerprint!)) { duplicates++; continue; }
            if (r.From.Count == 0 || ReferenceMailDate.Parse(h.GetValueOrDefault("date", "")) is not { } t || t < ValidFrom || t >= ValidTo)
            {
                skipped++;
                continue;
            }
            messages.Add(new ReferenceMessage(t, r.From[0], r.To.Concat(r.Cc).Distinct(StringComparer.Ordinal).ToList()));
        }
        return new ReferenceMailbox { Path = maildir, Messages = messages, Owners = InferOwners(sentFrom), Files = files.Count, Duplicates = duplicates, Skipped = skipped };
    }

    /// <summary>os.walk with sorted directories, each directory's files sorted, .DS_Store left out.</summary>
    private static List<string> Walk(string root)
    {
        var result = new List<string>();
        void Visit(string dir)
        {
            var entries = new DirectoryInfo(dir).GetFileSystemInfos();
            foreach (var f in entries.Where(e => e is FileInfo && e.Name != ".DS_Store").Select(e => e.Name).Order(StringComparer.Ordinal))
                result.Add(System.IO.Path.Combine(dir, f));
            foreach (var d in entries.Where(e => e is DirectoryInfo && e.LinkTarget is null).Select(e => e.Name).Order(StringComparer.Ordinal))
                Visit(System.IO.Path.Combine(dir, d));
        }
        Visit(root);
        return result;
    }

    private static FileRead ReadFile(string root, string path)
    {
        var raw = File.ReadAllBytes(path);
        raw = RemoveCarriageReturnsBeforeNewlines(raw);
        int split = raw.AsSpan().IndexOf("\n\n"u8);
        var head = split < 0 ? raw.AsSpan() : raw.AsSpan(0, split);
        var body = split < 0 ? [] : raw.AsSpan(split + 2);
        var headers = ParseHeaders(Encoding.UTF8.GetString(head));
        if (headers.Count == 0) return new FileRead(null, null, [], [], [], null);

        var relative = System.IO.Path.GetRelativePath(root, System.IO.Path.GetDirectoryName(path)!);
        var sentFolder = relative.Split(System.IO.Path.DirectorySeparatorChar).FirstOrDefault(p => PythonText.Lower(p).Contains("sent", StringComparison.Ordinal));
        var from = SplitAddresses(headers.GetValueOrDefault("from", ""));
        var to = SplitAddresses(headers.GetValueOrDefault("to", ""));
        var cc = SplitAddresses(headers.GetValueOrDefault("cc", ""));
        var print = string.Join('\x1f',
            PythonText.Squash(headers.GetValueOrDefault("date", "")), string.Join(',', from),
            string.Join(',', to.Order(StringComparer.Ordinal)), string.Join(',', cc.Order(StringComparer.Ordinal)),
            PythonText.Squash(headers.GetValueOrDefault("subject", "")), BodyDigest(body));
        return new FileRead(headers, sentFolder, from, to, cc, Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(print))));
    }

    private static byte[] RemoveCarriageReturnsBeforeNewlines(byte[] raw)
    {
        if (raw.AsSpan().IndexOf("\r\n"u8) < 0) return raw;
        var result = new List<byte>(raw.Length);
        for (int i = 0; i < raw.Length; i++)
            if (!(raw[i] == '\r' && i + 1 < raw.Length && raw[i + 1] == '\n')) result.Add(raw[i]);
        return [.. result];
    }

    /// <summary>sha1(b" ".join(body.split())) in hex: whitespace runs (ASCII, as bytes.split has it) become one space.</summary>
    private static string BodyDigest(ReadOnlySpan<byte> body)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        static bool Space(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0b or 0x0c;
        bool first = true;
        int i = 0;
        while (i < body.Length)
        {
            while (i < body.Length && Space(body[i])) i++;
            int start = i;
            while (i < body.Length && !Space(body[i])) i++;
            if (i == start) break;
            if (!first) sha.AppendData(" "u8);
            sha.AppendData(body[start..i]);
            first = false;
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>parse_headers: lower-case name to its first value; continuation lines unfolded into the first value only.</summary>
    private static Dictionary<string, string> ParseHeaders(string text)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        bool nameIsFirst = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && name is not null)
            {
                if (nameIsFirst) headers[name] += " " + PythonText.Strip(line);
                continue;
            }
            int colon = line.IndexOf(':');
            if (colon < 0) { name = null; continue; }
            name = PythonText.Lower(PythonText.Strip(line[..colon]));
            nameIsFirst = !headers.ContainsKey(name);
            if (nameIsFirst) headers[name] = PythonText.Strip(line[(colon + 1)..]);
        }
        return headers;
    }

    /// <summary>split_addresses: commas outside quotes and angle brackets separate; only well-formed addresses are kept.</summary>
    internal static List<string> SplitAddresses(string value)
    {
        var parts = new List<string>();
        var buf = new StringBuilder();
        bool quoted = false;
        int depth = 0;
        foreach (var ch in value)
        {
            if (ch == '"') quoted = !quoted;
            else if (ch == '<' && !quoted) depth++;
            else if (ch == '>' && !quoted && depth > 0) depth--;
            else if (ch == ',' && !quoted && depth == 0)
            {
                parts.Add(buf.ToString());
                buf.Clear();
                continue;
            }
            buf.Append(ch);
        }
        parts.Add(buf.ToString());

        var result = new List<string>();
        foreach (var raw in parts)
        {
            var part = PythonText.Strip(raw);
            if (part.Length == 0) continue;
            var m = AngleAddress().Match(part);
            var address = PythonText.Lower(PythonText.Strip(PythonText.Strip(PythonText.Strip(m.Success ? m.Groups[1].Value : part), "'\"")));
            if (address.StartsWith("mailto:", StringComparison.Ordinal)) address = address[7..];
            if (Address().IsMatch(address)) result.Add(address);
        }
        return result;
    }

    /// <summary>infer_owner with aliases: the most frequent sender in sent folders, plus any other sent folder's majority sender.</summary>
    private static List<string> InferOwners(List<(string Folder, Counter Senders)> sentFrom)
    {
        var total = new Counter();
        foreach (var (_, senders) in sentFrom)
            foreach (var (address, n) in senders.Items) total.Add(address, n);
        if (total.Items.Count == 0) return [];
        var owner = total.MostCommon();
        List<string> owners = [owner];
        foreach (var (_, senders) in sentFrom.OrderBy(f => f.Folder, StringComparer.Ordinal))
        {
            var top = senders.MostCommon();
            if (top != owner && !owners.Contains(top) && senders.Get(top) > 0.5 * senders.Items.Sum(x => x.Count)) owners.Add(top);
        }
        return owners;
    }

    /// <summary>A Python Counter: insertion order kept, so "most common" breaks ties by first appearance as Python does.</summary>
    private sealed class Counter
    {
        private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);
        public List<(string Key, int Count)> Items { get; } = [];

        public void Add(string key, int n)
        {
            if (index.TryGetValue(key, out var i)) Items[i] = (key, Items[i].Count + n);
            else { index[key] = Items.Count; Items.Add((key, n)); }
        }

        public int Get(string key) => Items[index[key]].Count;

        /// <summary>most_common(1): max() keeps the first of equal counts.</summary>
        public string MostCommon()
        {
            var best = Items[0];
            foreach (var item in Items) if (item.Count > best.Count) best = item;
            return best.Key;
        }
    }
}
