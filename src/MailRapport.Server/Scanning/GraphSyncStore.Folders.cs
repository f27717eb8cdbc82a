using Dapper;
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
        await using var connection = await store.OpenConnectionAsync(ct);
        var folders = (await connection.QueryAsync<(string Id, string? ParentId, string? Name, short Hidden)>(new CommandDefinition(
                "SELECT folder_id, parent_id, display_name, is_hidden FROM graph_folders WHERE mailbox_id = @mailboxId",
                new { mailboxId }, cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => new StoredFolder(r.Id, r.ParentId, r.Name, r.Hidden != 0), StringComparer.Ordinal);
        var wellKnown = (await connection.QueryAsync<(string Name, string? Id)>(new CommandDefinition(
                "SELECT well_known_name, folder_id FROM graph_well_known_folders WHERE mailbox_id = @mailboxId",
                new { mailboxId }, cancellationToken: ct)))
            .ToDictionary(r => r.Name, r => r.Id, StringComparer.OrdinalIgnoreCase);
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
            await tx.Connection.ExecuteAsync(new CommandDefinition("DELETE FROM graph_folders WHERE mailbox_id = @mailboxId",
                new { mailboxId }, tx.Transaction, cancellationToken: ct));
        foreach (var id in removedIds)
            await tx.Connection.ExecuteAsync(new CommandDefinition("DELETE FROM graph_folders WHERE mailbox_id = @mailboxId AND folder_id = @id",
                new { mailboxId, id }, tx.Transaction, cancellationToken: ct));
        foreach (var f in upserts)
            await tx.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO graph_folders (mailbox_id, folder_id, parent_id, display_name, is_hidden)
                VALUES (@mailboxId, @Id, @ParentId, @DisplayName, @Hidden)
                ON CONFLICT (mailbox_id, folder_id) DO UPDATE SET parent_id = excluded.parent_id,
                    display_name = excluded.display_name, is_hidden = excluded.is_hidden
                """, new { mailboxId, f.Id, f.ParentId, f.DisplayName, Hidden = (short)(f.IsHidden ? 1 : 0) }, tx.Transaction, cancellationToken: ct));
        foreach (var (name, id) in wellKnownFound)
            await tx.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO graph_well_known_folders (mailbox_id, well_known_name, folder_id) VALUES (@mailboxId, @name, @id)
                ON CONFLICT (mailbox_id, well_known_name) DO UPDATE SET folder_id = excluded.folder_id
                """, new { mailboxId, name = name.ToLowerInvariant(), id }, tx.Transaction, cancellationToken: ct));
        await SaveStateAsync(tx, mailboxId, state, ct);
        await tx.CommitAsync(ct);
    }
}
