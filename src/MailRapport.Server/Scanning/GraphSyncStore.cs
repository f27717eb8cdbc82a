using System.Data.Common;
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
internal sealed class GraphSyncStore(MailStore store, TimeProvider time)
{
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
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        int removed = 0;
        var orphanCandidates = new HashSet<string>(StringComparer.Ordinal);

        foreach (var id in page.RemovedIds)
        {
            var key = await MappedKeyAsync(connection, tx, mailboxId, state.Scope, id, ct);
            if (key is null) continue;
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope AND item_id = @id",
                new { mailboxId, scope = state.Scope, id }, tx, cancellationToken: ct));
            orphanCandidates.Add(key);
        }

        var items = new List<T>();
        foreach (var (id, item) in page.Upserts)
        {
            var oldKey = await MappedKeyAsync(connection, tx, mailboxId, state.Scope, id, ct);
            var newKey = item is null ? null : KeyOf(item);
            if (oldKey is not null && oldKey != newKey) orphanCandidates.Add(oldKey);
            if (newKey is null)
            {
                // The item changed into something we do not count (for example a draft): forget it here.
                if (oldKey is not null)
                    await connection.ExecuteAsync(new CommandDefinition(
                        "DELETE FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope AND item_id = @id",
                        new { mailboxId, scope = state.Scope, id }, tx, cancellationToken: ct));
                continue;
            }
            orphanCandidates.Remove(newKey);
            items.Add(item!);
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO graph_items (mailbox_id, scope, item_id, kind, item_key, sync_round)
                VALUES (@mailboxId, @scope, @id, @kind, @newKey, @round)
                ON CONFLICT (mailbox_id, scope, item_id) DO UPDATE SET item_key = excluded.item_key, sync_round = excluded.sync_round
                """, new { mailboxId, scope = state.Scope, id, kind = (short)kind, newKey, round = state.Round }, tx, cancellationToken: ct));
        }
        if (items.Count > 0)
        {
            if (kind == GraphItemKind.Message)
                await MailStore.UpsertMessagesAsync(connection, tx, mailboxId, items.Cast<MessageInteraction>(), ct);
            else
                await MailStore.UpsertMeetingsAsync(connection, tx, mailboxId, items.Cast<MeetingInteraction>(), ct);
        }
        removed += await DeleteOrphansAsync(connection, tx, mailboxId, kind, orphanCandidates, ct);
        await SaveStateAsync(connection, tx, mailboxId, state, ct);
        await tx.CommitAsync(ct);
        return (items.Count, removed);
    }

    /// <summary>
    /// After a full round of a scope: mappings not seen in this round belong to items gone while we were not
    /// looking; drop them (and their interactions when nothing else maps to them). Same transaction as the state.
    /// </summary>
    public async Task<int> FinishFullSyncAsync(string mailboxId, GraphItemKind kind, GraphSyncState state, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var stale = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT item_key FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope AND sync_round < @round",
            new { mailboxId, scope = state.Scope, round = state.Round }, tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope AND sync_round < @round",
            new { mailboxId, scope = state.Scope, round = state.Round }, tx, cancellationToken: ct));
        var removed = await DeleteOrphansAsync(connection, tx, mailboxId, kind, stale, ct);
        await SaveStateAsync(connection, tx, mailboxId, state with { FullSync = false }, ct);
        await tx.CommitAsync(ct);
        return removed;
    }

    /// <summary>Starts the scope over (expired delta state): a new round whose end sweeps what it did not see.</summary>
    public async Task<GraphSyncState> RestartAsync(string mailboxId, GraphSyncState state, CancellationToken ct)
    {
        var fresh = new GraphSyncState(state.Scope, null, null, state.Round + 1, true);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SaveStateAsync(connection, tx, mailboxId, fresh, ct);
        await tx.CommitAsync(ct);
        return fresh;
    }

    /// <summary>Forgets a scope that no longer exists (a deleted folder, an old calendar window), keeping listed keys under another scope.</summary>
    public async Task<int> DropScopeAsync(string mailboxId, GraphItemKind kind, string scope, string? keepBeforeScope = null,
        long keepBeforeMs = 0, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (keepBeforeScope is not null)
        {
            // Meetings that fell out of the front of the calendar window stay as history.
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO graph_items (mailbox_id, scope, item_id, kind, item_key, sync_round)
                SELECT g.mailbox_id, @keepBeforeScope, g.item_id, g.kind, g.item_key, 0
                FROM graph_items g JOIN meetings m ON m.mailbox_id = g.mailbox_id AND m.meeting_key = g.item_key
                WHERE g.mailbox_id = @mailboxId AND g.scope = @scope AND m.start_at < @keepBeforeMs
                ON CONFLICT (mailbox_id, scope, item_id) DO NOTHING
                """, new { mailboxId, scope, keepBeforeScope, keepBeforeMs }, tx, cancellationToken: ct));
        }
        var keys = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT item_key FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope",
            new { mailboxId, scope }, tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope", new { mailboxId, scope }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM graph_sync_state WHERE mailbox_id = @mailboxId AND scope = @scope", new { mailboxId, scope }, tx, cancellationToken: ct));
        var removed = await DeleteOrphansAsync(connection, tx, mailboxId, kind, keys, ct);
        await tx.CommitAsync(ct);
        return removed;
    }

    private static string KeyOf<T>(T item) => item switch
    {
        MessageInteraction m => m.Key,
        MeetingInteraction m => m.Key,
        _ => throw new ArgumentException($"Unexpected item type {typeof(T)}"),
    };

    private static Task<string?> MappedKeyAsync(DbConnection connection, DbTransaction tx, string mailboxId, string scope, string id, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT item_key FROM graph_items WHERE mailbox_id = @mailboxId AND scope = @scope AND item_id = @id",
            new { mailboxId, scope, id }, tx, cancellationToken: ct));

    private static async Task<int> DeleteOrphansAsync(DbConnection connection, DbTransaction tx, string mailboxId, GraphItemKind kind,
        IEnumerable<string> keys, CancellationToken ct)
    {
        var sql = kind == GraphItemKind.Message
            ? """
              DELETE FROM messages WHERE mailbox_id = @mailboxId AND message_key = @key
                AND NOT EXISTS (SELECT 1 FROM graph_items g WHERE g.mailbox_id = @mailboxId AND g.kind = @kind AND g.item_key = @key)
              """
            : """
              DELETE FROM meetings WHERE mailbox_id = @mailboxId AND meeting_key = @key
                AND NOT EXISTS (SELECT 1 FROM graph_items g WHERE g.mailbox_id = @mailboxId AND g.kind = @kind AND g.item_key = @key)
              """;
        int removed = 0;
        foreach (var key in keys)
            removed += await connection.ExecuteAsync(new CommandDefinition(sql, new { mailboxId, key, kind = (short)kind }, tx, cancellationToken: ct));
        return removed;
    }

    private async Task SaveStateAsync(DbConnection connection, DbTransaction tx, string mailboxId, GraphSyncState state, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition("""
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
        }, tx, cancellationToken: ct));
}
