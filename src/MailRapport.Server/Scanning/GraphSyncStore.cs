using Dapper;
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
/// survives removal from one of them.
/// </summary>
internal sealed partial class GraphSyncStore(MailStore store, TimeProvider time) : IMailboxErasure
{
    private readonly InteractionStore interactions = new(store);

    public async Task<Dictionary<string, GraphSyncState>> LoadAsync(string mailboxId, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Scope, string? NextLink, string? DeltaLink, int Round, short FullSync)>(new CommandDefinition(
            "SELECT scope, next_link, delta_link, sync_round, full_sync FROM graph_sync_state WHERE mailbox_id = @mailboxId",
            new { mailboxId }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Scope, r => new GraphSyncState(r.Scope, r.NextLink, r.DeltaLink, r.Round, r.FullSync != 0), StringComparer.Ordinal);
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
            await tx.Connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope AND item_id = @id",
                new { mailboxId, scope = state.Scope, id }, tx.Transaction, cancellationToken: ct));
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
                if (oldKey is not null)
                    await tx.Connection.ExecuteAsync(new CommandDefinition(
                        "DELETE FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope AND item_id = @id",
                        new { mailboxId, scope = state.Scope, id }, tx.Transaction, cancellationToken: ct));
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
        var stale = (await tx.Connection.QueryAsync<string>(new CommandDefinition(
            "SELECT item_key FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope AND sync_round < @round",
            new { mailboxId, scope = state.Scope, round = state.Round }, tx.Transaction, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        await tx.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope AND sync_round < @round",
            new { mailboxId, scope = state.Scope, round = state.Round }, tx.Transaction, cancellationToken: ct));
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
            var mapped = (await tx.Connection.QueryAsync<(string ItemId, short Kind, string Key)>(new CommandDefinition(
                "SELECT item_id, kind, item_key FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope",
                new { mailboxId, scope }, tx.Transaction, cancellationToken: ct))).ToList();
            var past = (await interactions.MeetingsStartingBeforeAsync(tx, mailboxId, mapped.Select(m => m.Key),
                DateTimeOffset.FromUnixTimeMilliseconds(keepBeforeMs), ct)).ToHashSet(StringComparer.Ordinal);
            foreach (var (itemId, itemKind, key) in mapped.Where(m => past.Contains(m.Key)))
                await tx.Connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO graph_items (mailbox_id, scope, item_id, kind, item_key, sync_round)
                    VALUES (@mailboxId, @keepBeforeScope, @itemId, @itemKind, @key, 0)
                    ON CONFLICT (mailbox_id, scope, item_id) DO NOTHING
                    """, new { mailboxId, keepBeforeScope, itemId, itemKind, key }, tx.Transaction, cancellationToken: ct));
        }
        var keys = (await tx.Connection.QueryAsync<string>(new CommandDefinition(
            "SELECT item_key FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope",
            new { mailboxId, scope }, tx.Transaction, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        await tx.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope", new { mailboxId, scope }, tx.Transaction, cancellationToken: ct));
        await tx.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM graph_sync_state WHERE mailbox_id = @mailboxId AND scope = @scope", new { mailboxId, scope }, tx.Transaction, cancellationToken: ct));
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

    private static Task<string?> MappedKeyAsync(StoreTransaction tx, string mailboxId, string scope, string id, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT item_key FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope AND item_id = @id",
            new { mailboxId, scope, id }, tx.Transaction, cancellationToken: ct));

    /// <summary>Deletes the interactions behind <paramref name="keys"/> that no scope maps any more.</summary>
    private async Task<int> DeleteOrphansAsync(StoreTransaction tx, string mailboxId, GraphItemKind kind, IEnumerable<string> keys, CancellationToken ct)
    {
        var orphans = new List<string>();
        foreach (var key in keys)
            if (await tx.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM graph_items WHERE mailbox_id = @mailboxId AND kind = @kind AND item_key = @key",
                    new { mailboxId, key, kind = (short)kind }, tx.Transaction, cancellationToken: ct)) == 0)
                orphans.Add(key);
        return orphans.Count == 0 ? 0 : await interactions.DeleteAsync(tx, mailboxId, (InteractionKind)kind, orphans, ct);
    }

    /// <summary>The delta state, item map and folder tree; the interactions are erased by their own store.</summary>
    public Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct) =>
        MailboxEraser.DeleteRowsAsync(tx, mailboxId, ct, "graph_sync_state", "graph_items", "graph_folders", "graph_well_known_folders");

    private async Task SaveStateAsync(StoreTransaction tx, string mailboxId, GraphSyncState state, CancellationToken ct) =>
        await tx.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO graph_sync_state (mailbox_id, scope, next_link, delta_link, sync_round, full_sync, updated_at)
            VALUES (@mailboxId, @Scope, @NextLink, @DeltaLink, @Round, @Full, @Now)
            ON CONFLICT (mailbox_id, scope) DO UPDATE SET next_link = excluded.next_link, delta_link = excluded.delta_link,
                sync_round = excluded.sync_round, full_sync = excluded.full_sync, updated_at = excluded.updated_at
            """, new
        {
            mailboxId,
            state.Scope,
            state.NextLink,
            state.DeltaLink,
            state.Round,
            Full = (short)(state.FullSync ? 1 : 0),
            Now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        }, tx.Transaction, cancellationToken: ct));
}
