using System.Security.Cryptography;
using System.Text;
using MailRapport.Core;

namespace MailRapport.Server.Import;

/// <summary>
/// Conversation ids: the root Message-ID of the References chain (In-Reply-To when there are no References); a message
/// that others name as their root takes its own id. Without ids, messages with the same normalised subject that share a
/// correspondent form one thread.
/// </summary>
public static class Threads
{
    public static Dictionary<string, string?> Assign(List<(ParsedMail Mail, string Key)> mails, HashSet<string> owners)
    {
        var result = new Dictionary<string, string?>(mails.Count, StringComparer.Ordinal);
        var roots = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (mail, _) in mails)
            if (RootOf(mail) is { } r) roots.Add(r);

        // Subject threads: union-find over (subject, correspondent) so "Budget" from A and "RE: Budget" to A join.
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        string Find(string x)
        {
            while (parent.TryGetValue(x, out var p) && p != x) { parent[x] = parent.GetValueOrDefault(p, p); x = p; }
            return x;
        }
        void Union(string a, string b)
        {
            parent.TryAdd(a, a); parent.TryAdd(b, b);
            var (ra, rb) = (Find(a), Find(b));
            if (ra == rb) return;
            if (string.CompareOrdinal(ra, rb) < 0) parent[rb] = ra; else parent[ra] = rb; // smallest label wins: stable across runs
        }
        var pending = new List<(string Key, string Node)>();
        foreach (var (mail, key) in mails)
        {
            if (RootOf(mail) is { } root) { result[key] = "mid:" + root; continue; }
            if (mail.MessageId is { } own && roots.Contains(own)) { result[key] = "mid:" + own; continue; }
            var subject = Subjects.Normalize(mail.Subject);
            if (subject.Length == 0) { result[key] = null; continue; }
            var people = new[] { mail.From }.Concat(mail.To).Concat(mail.Cc).Select(a => a.Address)
                .Where(a => !owners.Contains(a)).Distinct().Order(StringComparer.Ordinal).ToList();
            if (people.Count == 0) people.Add("(owner)");
            var first = subject + "\n" + people[0];
            parent.TryAdd(first, first);
            foreach (var p in people.Skip(1)) Union(first, subject + "\n" + p);
            pending.Add((key, first));
        }
        foreach (var (key, node) in pending)
            result[key] = "subj:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Find(node))).AsSpan(0, 12));
        return result;
    }

    private static string? RootOf(ParsedMail mail) => mail.References.Count > 0 ? mail.References[0] : mail.InReplyTo;
}

/// <summary>
/// Owner inference from sent folders: every address that sends more than half of one sent folder is an owner
/// (mailboxes change address, and some merge two people). Without sent folders, the most frequent recipient, when it is on
/// at least a third of the mail.
/// </summary>
public static class OwnerInference
{
    /// <summary>Mail with more recipients than this is not counted when guessing the owner from recipients.</summary>
    public const int MaxRecipientsForInference = 50;

    public static (List<string> Owners, string Source) Infer(IReadOnlyList<ParsedMail> mails)
    {
        var owners = new List<string>();
        var folders = new List<string>();
        foreach (var folder in mails.Where(m => MailParser.IsSentFolder(m.Folder)).GroupBy(m => m.Folder, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            int total = folder.Count();
            var top = folder.GroupBy(m => m.From.Address, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
            if (top.Count() * 2 > total)
            {
                if (!owners.Contains(top.Key)) owners.Add(top.Key);
                folders.Add(folder.Key);
            }
        }
        if (owners.Count > 0) return (owners, "inferred from sent folders: " + string.Join(", ", folders));
        // A mail to a crowd says nothing about whose mailbox this is, and a tie names no one.
        var ranked = mails.Where(m => m.To.Count + m.Cc.Count <= MaxRecipientsForInference)
            .SelectMany(m => m.To.Concat(m.Cc).Select(a => a.Address).Distinct())
            .GroupBy(a => a, StringComparer.Ordinal).Select(g => (Address: g.Key, Count: g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Address, StringComparer.Ordinal).Take(2).ToList();
        if (ranked.Count > 0 && ranked[0].Count * 3 >= mails.Count && (ranked.Count == 1 || ranked[0].Count > ranked[1].Count))
            return ([ranked[0].Address], "inferred as the most frequent recipient (no sent folder)");
        return ([], "unknown: no sent folder and no dominant recipient (pass --owner)");
    }
}

/// <summary>Maps people's names (as Lotus Notes invitations write them) to addresses seen on the imported mail.</summary>
public sealed class NameDirectory
{
    private readonly Dictionary<string, Dictionary<string, int>> byName = new(StringComparer.Ordinal);

    public NameDirectory(IEnumerable<ParsedMail> mails)
    {
        foreach (var m in mails)
            foreach (var a in new[] { m.From }.Concat(m.To).Concat(m.Cc))
            {
                if (a.DisplayName is { } n) Add(n, a.Address);
                Add(EmailAddress.LocalPart(a.Address).Replace('.', ' ').Replace('_', ' '), a.Address);
            }
    }

    private void Add(string name, string address)
    {
        var key = Key(name);
        if (key.Length == 0 || !key.Contains(' ')) return; // a single word is too ambiguous to map
        if (!byName.TryGetValue(key, out var counts)) byName[key] = counts = new(StringComparer.Ordinal);
        counts[address] = counts.GetValueOrDefault(address) + 1;
    }

    /// <summary>The most frequent address for a name; an address written out is taken as is.</summary>
    public string? Resolve(string name)
    {
        if (EmailAddress.Normalize(name) is { } direct) return direct;
        var key = Key(name);
        return byName.TryGetValue(key, out var counts)
            ? counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).First().Key
            : null;
    }

    /// <summary>"Lay, Kenneth" and "Kenneth Lay" and "Kenneth Lay/Corp/Enron" all become "kenneth lay".</summary>
    internal static string Key(string name)
    {
        var n = name;
        int slash = n.IndexOf('/');
        if (slash > 0) n = n[..slash];
        int at = n.IndexOf('@');
        if (at > 0) n = n[..at];
        int comma = n.IndexOf(',');
        if (comma > 0) n = n[(comma + 1)..] + " " + n[..comma];
        var words = n.ToLowerInvariant().Split([' ', '\t', '"', '\'', '.'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length > 1); // drop middle initials
        return string.Join(' ', words);
    }
}
