using MailRapport.Server.Graph;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;

namespace MailRapport.Server.Scanning;

/// <summary>A folder the scan reads, with its path for progress and logs.</summary>
internal sealed record MailFolderInfo(string Id, string Path);

/// <summary>
/// The mailbox's correspondence folders: every folder but the excluded well-known ones, their subfolders and hidden
/// folders. The tree is kept in the sync state and refreshed with mailFolders/delta (one request when nothing
/// changed, which covers new, renamed, moved and deleted folders); a well-known folder is looked up by name once
/// per mailbox and its id remembered.
/// </summary>
internal sealed class GraphFolderSync(GraphServiceClient graph, GraphPageReader reader, GraphSyncStore sync, GraphOptions options)
{
    internal const string Scope = "hierarchy:mailFolders";
    private static readonly string[] Select = ["id", "displayName", "parentFolderId", "isHidden"];

    /// <summary>Brings the stored tree up to date and returns the folders to read, ordered by path.</summary>
    public async Task<IReadOnlyList<MailFolderInfo>> SyncAsync(string mailboxId, GraphSyncState? state, CancellationToken ct)
    {
        var stored = await sync.LoadFolderTreeAsync(mailboxId, ct);
        var found = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in options.ExcludedWellKnownFolders.Where(n => !stored.WellKnown.ContainsKey(n)).Distinct(StringComparer.OrdinalIgnoreCase))
            found[name] = await WellKnownIdAsync(mailboxId, name, ct);

        // Nothing is written before the delta answers: for an unknown mailbox it fails, and the lookups' 404s are not remembered.
        var (changes, deltaLink, full) = await ReadRoundAsync(mailboxId, state?.DeltaLink, ct);
        var tree = full ? new Dictionary<string, StoredFolder>(StringComparer.Ordinal) : stored.Folders;
        var upserts = new Dictionary<string, StoredFolder>(StringComparer.Ordinal);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in changes)
        {
            if (string.IsNullOrEmpty(f.Id)) continue;
            if (f.Removed is not null)
            {
                tree.Remove(f.Id);
                upserts.Remove(f.Id);
                removed.Add(f.Id);
                continue;
            }
            var folder = new StoredFolder(f.Id, f.ParentFolderId, f.DisplayName, f.IsHidden == true);
            tree[f.Id] = upserts[f.Id] = folder;
            removed.Remove(f.Id);
        }
        await sync.SaveFolderTreeAsync(mailboxId, new GraphSyncState(Scope, null, deltaLink, 1, false), full, upserts.Values, removed, found, ct);

        var excluded = options.ExcludedWellKnownFolders
            .Select(n => found.TryGetValue(n, out var id) ? id : stored.WellKnown.GetValueOrDefault(n))
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        return CorrespondenceFolders(tree, excluded);
    }

    /// <summary>Folders outside the excluded and hidden subtrees, with their display-name paths.</summary>
    internal static IReadOnlyList<MailFolderInfo> CorrespondenceFolders(IReadOnlyDictionary<string, StoredFolder> tree, IReadOnlySet<string> excluded)
    {
        var result = new List<MailFolderInfo>();
        foreach (var folder in tree.Values)
        {
            var names = new List<string>();
            bool skip = false;
            // Up to the root (whose id the delta does not list); the depth bound guards against a cycle in bad data.
            for (var f = folder; f is not null && names.Count < 64; f = f.ParentId is null ? null : tree.GetValueOrDefault(f.ParentId))
            {
                if (excluded.Contains(f.Id) || f.IsHidden) { skip = true; break; }
                names.Add(f.DisplayName ?? f.Id);
            }
            if (skip) continue;
            names.Reverse();
            result.Add(new MailFolderInfo(folder.Id, string.Join('/', names)));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path) is var c && c != 0 ? c : string.CompareOrdinal(a.Id, b.Id));
        return result;
    }

    /// <summary>One delta round to its delta link; an expired link starts a full round (once).</summary>
    private async Task<(List<GraphFolder> Changes, string DeltaLink, bool Full)> ReadRoundAsync(string mailboxId, string? deltaLink, CancellationToken ct)
    {
        var changes = new List<GraphFolder>();
        bool full = deltaLink is null, restarted = false;
        string? link = deltaLink;
        while (true)
        {
            GraphDeltaPage<GraphFolder> page;
            try
            {
                var request = GraphPageReader.PageRequest(link, [$"odata.maxpagesize={options.PageSize}"],
                    () => graph.Users[mailboxId].MailFolders.Delta.ToGetRequestInformation(rc => rc.QueryParameters.Select = Select));
                page = await reader.ReadAsync(request, GraphPageJson.Default.GraphDeltaPageGraphFolder, ct);
            }
            catch (ApiException ex) when (GraphDeltaRound.IsExpiredSyncState(ex) && !restarted && link is not null)
            {
                (restarted, full, link) = (true, true, null);
                changes.Clear();
                continue;
            }
            changes.AddRange(page.Value ?? []);
            if (page.NextLink is not null) { link = page.NextLink; continue; }
            return (changes, page.DeltaLink ?? throw new InvalidDataException("Graph returned a mailFolders delta page with neither @odata.nextLink nor @odata.deltaLink."), full);
        }
    }

    private async Task<string?> WellKnownIdAsync(string mailboxId, string name, CancellationToken ct)
    {
        try
        {
            var folder = await graph.Users[mailboxId].MailFolders[name].GetAsync(rc => rc.QueryParameters.Select = ["id"], ct);
            return folder?.Id;
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            return null;
        }
    }
}
