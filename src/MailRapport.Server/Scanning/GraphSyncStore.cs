using MailRapport.Core;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Scanning;

internal enum GraphItemKind : short
{
    Message = 0,
    Meeting = 1,
}

/// <summary>Where one delta round of one folder or calendar window stands.</summary>
internal sealed record GraphSyncState(string Scope, string? NextLink, string? DeltaLink, int Round, bool FullSync)
{
    public static GraphSyncState Fresh(string scope) => new(scope, null, null, 1, true);
}

/// <summary>One delta page, ready to commit: changed items (id, interaction or null when not an interaction) and removed ids.</summary>
internal sealed record GraphPageChanges<T>(IReadOnlyList<(string Id, T? Item)> Upserts, IReadOnlyList<string> RemovedIds) where T : class;

/// <summary>
/// Delta links and the (scope, Graph item id) -> interaction key map, written in the same transaction as the
/// interactions, so a scan killed at any moment resumes from exactly its last committed page.
/// An interaction is kept while any scope still maps to it: one message in two folders is stored once and
/// survives removal from one of them. No Dapper here: its per-call-site code generation is paid in full by a
/// process's first scan; single statements go through <see cref="PlainSql"/>, rows and IN lists through <see cref="RowBatch"/>.
/// </summary>
internal sealed partial class GraphSyncStore(MailStore store, TimeProvider time) : IMailboxErasure
{
    private readonly InteractionStore interactions = new(store);

    public async Task<Dictionary<string, GraphSyncState>> LoadAsync(string mailboxId, CancellationToken ct)
    {
        var states = new Dictionary<string, GraphSyncState>(StringComparer.Ordinal);
        await using var connection = await store.OpenConnectionAsync(ct);
        await PlainSql.QueryAsync(connection, null,
            "SELECT scope, next_link, delta_link, sync_round, full_sync FROM graph_sync_state WHERE mailbox_id = @m", [("m", mailboxId)], row =>
            {
                var scope = row.GetString(0);
                states[scope] = new GraphSyncState(scope, Db.Text(row, 1), Db.Text(row, 2), (int)Db.Long(row, 3), Db.Long(row, 4) != 0);
            }, ct);
        return states;
    }

    /// <summary>Commits one page: interactions, mappings, removals and the scope's new link, all or nothing.</summary>
    public async Task<(int Upserted, int Removed)> CommitPageAsync<T>(string mailboxId, GraphItemKind kind, GraphSyncState state,
        GraphPageChanges<T> page, CancellationToken ct) where T : class
    {
        await using var tx = await store.BeginAsync(ct);
        int removed = 0;
        var orphanCandidates = new HashSet<string>(StringComparer.Ordinal);

        foreach (var id in page.RemovedIds)
        {
            var key = await MappedKeyAsync(tx, mailboxId, state.Scope, id, ct);
            if (key is null) continue;
            await DeleteMappingAsync(tx, mailboxId, state.Scope, id, ct);
            orphanCandidates.Add(key);
        }

        var items = new List<T>();
        var existing = await MappedKeysAsync(tx, mailboxId, state.Scope, page.Upserts.Select(u => u.Id), ct);
        // id -> key to write, last one wins (a page may list an item twice).
        var mapped = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, item) in page.Upserts)
        {
            var oldKey = existing.GetValueOrDefault(id);
            var newKey = item is null ? null : KeyOf(item);
            if (oldKey is not null && oldKey != newKey) orphanCandidates.Add(oldKey);
            if (newKey is null)
            {
                // The item changed into something we do not count (for example a draft): forget it here.
                mapped.Remove(id);
                if (oldKey is not null) await DeleteMappingAsync(tx, mailboxId, state.Scope, id, ct);
                existing.Remove(id);
                continue;
            }
            orphanCandidates.Remove(newKey);
            items.Add(item!);
            mapped[id] = newKey;
            existing[id] = newKey;
        }
        await UpsertMappingsAsync(tx, mailboxId, state, kind, mapped, ct);
        if (items.Count > 0)
        {
            if (kind == GraphItemKind.Message)
                await interactions.UpsertMessagesAsync(tx, mailboxId, items.Cast<MessageInteraction>(), ct);
            else
                await interactions.UpsertMeetingsAsync(tx, mailboxId, items.Cast<MeetingInteraction>(), ct);
        }
        removed += await DeleteOrphansAsync(tx, mailboxId, kind, orphanCandidates, ct);
        await SaveStateAsync(tx, mailboxId, state, ct);
        await tx.CommitAsync(ct);
        return (items.Count, removed);
    }

    /// <summary>
    /// After a full round of a scope: mappings not seen in this round belong to items gone while we were not
    /// looking; drop them (and their interactions when nothing else maps to them). Same transaction as the state.
    /// </summary>
    public async Task<int> FinishFullSyncAsync(string mailboxId, GraphItemKind kind, GraphSyncState state, CancellationToken ct)
    {
        await using var tx = await store.BeginAsync(ct);
        var stale = new HashSet<string>(StringComparer.Ordinal);
        await PlainSql.QueryAsync(tx.Connection, tx.Transaction, "DELETE FROM graph_items WHERE mailbox_id = @m AND scope = @s AND sync_round < @r RETURNING item_key",
            [("m", mailboxId), ("s", state.Scope), ("r", state.Round)], row => stale.Add(row.GetString(0)), ct);
        var removed = await DeleteOrphansAsync(tx, mailboxId, kind, stale, ct);
        await SaveStateAsync(tx, mailboxId, state with { FullSync = false }, ct);
        await tx.CommitAsync(ct);
        return removed;
    }

    /// <summary>Starts the scope over (expired delta state): a new round whose end sweeps what it did not see.</summary>
    public async Task<GraphSyncState> RestartAsync(string mailboxId, GraphSyncState state, CancellationToken ct)
    {
        var fresh = new GraphSyncState(state.Scope, null, null, state.Round + 1, true);
        await using var tx = await store.BeginAsync(ct);
        await SaveStateAsync(tx, mailboxId, fresh, ct);
        await tx.CommitAsync(ct);
        return fresh;
    }

    /// <summary>Forgets a scope that no longer exists (a deleted folder, an old calendar window), keeping listed keys under another scope.</summary>
    public async Task<int> DropScopeAsync(string mailboxId, GraphItemKind kind, string scope, string? keepBeforeScope = null,
        long keepBeforeMs = 0, CancellationToken ct = default)
    {
        await using var tx = await store.BeginAsync(ct);
        if (keepBeforeScope is not null)
        {
            // Meetings that fell out of the front of the calendar window stay as history, mapped under the other scope.
            var mapped = new List<(string ItemId, short Kind, string Key)>();
            await PlainSql.QueryAsync(tx.Connection, tx.Transaction, "SELECT item_id, kind, item_key FROM graph_items WHERE mailbox_id = @m AND scope = @s",
                [("m", mailboxId), ("s", scope)], row => mapped.Add((row.GetString(0), (short)Db.Long(row, 1), row.GetString(2))), ct);
            var past = (await interactions.MeetingsStartingBeforeAsync(tx, mailboxId, mapped.Select(m => m.Key),
                DateTimeOffset.FromUnixTimeMilliseconds(keepBeforeMs), ct)).ToHashSet(StringComparer.Ordinal);
            await RowBatch.ExecuteAsync(tx, """
                INSERT INTO graph_items (mailbox_id, scope, item_id, kind, item_key, sync_round) VALUES (@m, @s, @i, @k, @key, 0)
                ON CONFLICT (mailbox_id, scope, item_id) DO NOTHING
                """, ["m", "s", "i", "k", "key"], mapped.Where(m => past.Contains(m.Key)).Select(m => new object?[] { mailboxId, keepBeforeScope, m.ItemId, m.Kind, m.Key }), ct);
        }
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await PlainSql.QueryAsync(tx.Connection, tx.Transaction, "DELETE FROM graph_items WHERE mailbox_id = @m AND scope = @s RETURNING item_key",
            [("m", mailboxId), ("s", scope)], row => keys.Add(row.GetString(0)), ct);
        await PlainSql.ExecuteAsync(tx.Connection, tx.Transaction, "DELETE FROM graph_sync_state WHERE mailbox_id = @m AND scope = @s",
            [("m", mailboxId), ("s", scope)], ct);
        var removed = await DeleteOrphansAsync(tx, mailboxId, kind, keys, ct);
        await tx.CommitAsync(ct);
        return removed;
    }

    private static string KeyOf<T>(T item) => item switch
    {
        MessageInteraction m => m.Key,
        MeetingInteraction m => m.Key,
        _ => throw new ArgumentException($"Unexpected item type {typeof(T)}"),
    };

    private static readonly string[] MappingNames = ["m", "s", "i", "k", "key", "r"];

    /// <summary>(scope, item id) -> key for a page, one prepared statement run per row (batched on PostgreSQL).</summary>
    private static Task UpsertMappingsAsync(StoreTransaction tx, string mailboxId, GraphSyncState state, GraphItemKind kind,
        IReadOnlyDictionary<string, string> mapped, CancellationToken ct) =>
        RowBatch.ExecuteAsync(tx, """
            INSERT INTO graph_items (mailbox_id, scope, item_id, kind, item_key, sync_round) VALUES (@m, @s, @i, @k, @key, @r)
            ON CONFLICT (mailbox_id, scope, item_id) DO UPDATE SET item_key = excluded.item_key, sync_round = excluded.sync_round
            """, MappingNames, mapped.Select(m => new object?[] { mailboxId, state.Scope, m.Key, (short)kind, m.Value, state.Round }), ct);

    /// <summary>Existing mappings of a page's ids, up to <see cref="RowBatch.Size"/> ids per query.</summary>
    private static async Task<Dictionary<string, string>> MappedKeysAsync(StoreTransaction tx, string mailboxId,
        string scope, IEnumerable<string> ids, CancellationToken ct)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(RowBatch.Size))
        {
            var parameters = new QueryParameters().Add("m", mailboxId).Add("s", scope);
            var list = RowBatch.InList(parameters, "i", chunk);
            await RowBatch.QueryAsync(tx, $"SELECT item_id, item_key FROM graph_items WHERE mailbox_id = @m AND scope = @s AND item_id IN ({list})",
                parameters, row => result[(string)row[0]!] = (string)row[1]!, ct);
        }
        return result;
    }

    private static async Task<string?> MappedKeyAsync(StoreTransaction tx, string mailboxId, string scope, string id, CancellationToken ct)
    {
        return (string?)await PlainSql.ScalarAsync(tx.Connection, tx.Transaction,
            "SELECT item_key FROM graph_items WHERE mailbox_id = @m AND scope = @s AND item_id = @i", [("m", mailboxId), ("s", scope), ("i", id)], ct);
    }

    private static Task DeleteMappingAsync(StoreTransaction tx, string mailboxId, string scope, string id, CancellationToken ct) =>
        PlainSql.ExecuteAsync(tx.Connection, tx.Transaction, "DELETE FROM graph_items WHERE mailbox_id = @m AND scope = @s AND item_id = @i",
            [("m", mailboxId), ("s", scope), ("i", id)], ct);

    /// <summary>Deletes the interactions behind <paramref name="keys"/> that no scope maps any more.</summary>
    private async Task<int> DeleteOrphansAsync(StoreTransaction tx, string mailboxId, GraphItemKind kind, IEnumerable<string> keys, CancellationToken ct)
    {
        var orphans = keys.ToHashSet(StringComparer.Ordinal);
        foreach (var chunk in orphans.ToList().Chunk(RowBatch.Size))
        {
            var parameters = new QueryParameters().Add("m", mailboxId).Add("k", (short)kind);
            var list = RowBatch.InList(parameters, "i", chunk);
            await RowBatch.QueryAsync(tx, $"SELECT DISTINCT item_key FROM graph_items WHERE mailbox_id = @m AND kind = @k AND item_key IN ({list})",
                parameters, row => orphans.Remove((string)row[0]!), ct);
        }
        return orphans.Count == 0 ? 0 : await interactions.DeleteAsync(tx, mailboxId, (InteractionKind)kind, orphans, ct);
    }

    /// <summary>The delta state, item map and folder tree; the interactions are erased by their own store.</summary>
    public Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct) =>
        MailboxEraser.DeleteRowsAsync(tx, mailboxId, ct, "graph_sync_state", "graph_items", "graph_folders", "graph_well_known_folders");

    private Task SaveStateAsync(StoreTransaction tx, string mailboxId, GraphSyncState state, CancellationToken ct) =>
        PlainSql.ExecuteAsync(tx.Connection, tx.Transaction, """
            INSERT INTO graph_sync_state (mailbox_id, scope, next_link, delta_link, sync_round, full_sync, updated_at)
            VALUES (@m, @s, @n, @d, @r, @f, @t)
            ON CONFLICT (mailbox_id, scope) DO UPDATE SET next_link = excluded.next_link, delta_link = excluded.delta_link,
                sync_round = excluded.sync_round, full_sync = excluded.full_sync, updated_at = excluded.updated_at
            """, [("m", mailboxId), ("s", state.Scope), ("n", state.NextLink), ("d", state.DeltaLink), ("r", state.Round),
            ("f", (short)(state.FullSync ? 1 : 0)), ("t", time.GetUtcNow().ToUnixTimeMilliseconds())], ct);
}
