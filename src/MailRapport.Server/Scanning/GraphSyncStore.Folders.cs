using MailRapport.Server.Storage;

namespace MailRapport.Server.Scanning;

/// <summary>A mail folder as mailFolders/delta last reported it.</summary>
internal sealed record StoredFolder(string Id, string? ParentId, string? DisplayName, bool IsHidden);

/// <summary>The mailbox's folder tree and the well-known folder ids the scan has looked up (null: none in this mailbox).</summary>
internal sealed record StoredFolderTree(Dictionary<string, StoredFolder> Folders, Dictionary<string, string?> WellKnown);

/// <summary>The folder tree (graph_folders, graph_well_known_folders), committed with the folder delta link.</summary>
internal sealed partial class GraphSyncStore
{
    public async Task<StoredFolderTree> LoadFolderTreeAsync(string mailboxId, CancellationToken ct)
    {
        var folders = new Dictionary<string, StoredFolder>(StringComparer.Ordinal);
        var wellKnown = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        await using var connection = await store.OpenConnectionAsync(ct);
        await PlainSql.QueryAsync(connection, null, "SELECT folder_id, parent_id, display_name, is_hidden FROM graph_folders WHERE mailbox_id = @m",
            [("m", mailboxId)], row => folders[row.GetString(0)] = new StoredFolder(row.GetString(0), Db.Text(row, 1), Db.Text(row, 2), Db.Long(row, 3) != 0), ct);
        await PlainSql.QueryAsync(connection, null, "SELECT well_known_name, folder_id FROM graph_well_known_folders WHERE mailbox_id = @m",
            [("m", mailboxId)], row => wellKnown[row.GetString(0)] = Db.Text(row, 1), ct);
        return new StoredFolderTree(folders, wellKnown);
    }

    /// <summary>
    /// Commits one folder delta round: a full round replaces the tree, an incremental one applies its changes;
    /// newly looked-up well-known ids and the round's delta link go in the same transaction.
    /// </summary>
    public async Task SaveFolderTreeAsync(string mailboxId, GraphSyncState state, bool replaceAll, IReadOnlyCollection<StoredFolder> upserts,
        IReadOnlyCollection<string> removedIds, IReadOnlyDictionary<string, string?> wellKnownFound, CancellationToken ct)
    {
        await using var tx = await store.BeginAsync(ct);
        if (replaceAll)
            await PlainSql.ExecuteAsync(tx.Connection, tx.Transaction, "DELETE FROM graph_folders WHERE mailbox_id = @m", [("m", mailboxId)], ct);
        await RowBatch.ExecuteAsync(tx, "DELETE FROM graph_folders WHERE mailbox_id = @m AND folder_id = @i", ["m", "i"],
            removedIds.Select(id => new object?[] { mailboxId, id }), ct);
        await RowBatch.ExecuteAsync(tx, """
            INSERT INTO graph_folders (mailbox_id, folder_id, parent_id, display_name, is_hidden) VALUES (@m, @i, @p, @n, @h)
            ON CONFLICT (mailbox_id, folder_id) DO UPDATE SET parent_id = excluded.parent_id,
                display_name = excluded.display_name, is_hidden = excluded.is_hidden
            """, ["m", "i", "p", "n", "h"], upserts.Select(f => new object?[] { mailboxId, f.Id, f.ParentId, f.DisplayName, (short)(f.IsHidden ? 1 : 0) }), ct);
        await RowBatch.ExecuteAsync(tx, """
            INSERT INTO graph_well_known_folders (mailbox_id, well_known_name, folder_id) VALUES (@m, @n, @i)
            ON CONFLICT (mailbox_id, well_known_name) DO UPDATE SET folder_id = excluded.folder_id
            """, ["m", "n", "i"], wellKnownFound.Select(w => new object?[] { mailboxId, w.Key.ToLowerInvariant(), w.Value }), ct);
        await SaveStateAsync(tx, mailboxId, state, ct);
        await tx.CommitAsync(ct);
    }
}
