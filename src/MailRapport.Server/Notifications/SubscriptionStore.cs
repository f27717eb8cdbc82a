using Dapper;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Notifications;

/// <summary>What a mailbox is subscribed to: its messages or its calendar's events.</summary>
public static class SubscribedResource
{
    public const string Messages = "messages";
    public const string Events = "events";
    public static readonly IReadOnlyList<string> All = [Messages, Events];
}

/// <summary>One stored subscription: Graph's id (null while it is being created), the hash of its client state, its expiry.</summary>
public sealed record StoredSubscription(string MailboxId, string Resource, string? SubscriptionId, string? ClientStateHash, DateTimeOffset? ExpiresAt);

/// <summary>A subscription of an erased mailbox still to be deleted at Graph: whose it was (null: unknown, the app's) and when it lapses anyway.</summary>
public sealed record PendingRemoval(string SubscriptionId, string? MailboxId, DateTimeOffset? ExpiresAt);

/// <summary>
/// The Graph subscriptions of every mailbox (graph_subscriptions), one row per mailbox and resource, and the
/// subscriptions of erased mailboxes still to be deleted at Graph (graph_subscription_removals). Every action on a
/// row (create, renew, recreate) first claims it with one conditional UPDATE, so two hosts never both act on it; a
/// claim lapses after its lease, so a host that died mid-way leaves nothing stuck.
/// </summary>
public sealed class SubscriptionStore(MailStore store, TimeProvider clock) : IMailboxErasure
{
    private const string Columns = "mailbox_id AS MailboxId, resource_kind AS Resource, subscription_id AS SubscriptionId, client_state_hash AS ClientStateHash, expires_at AS ExpiresAt";

    /// <summary>
    /// Claims the creation of a mailbox's subscription to a resource: true when the row did not exist, or has no
    /// subscription and no live claim. The row then belongs to <paramref name="owner"/> until <paramref name="until"/>.
    /// </summary>
    public async Task<bool> TryClaimCreateAsync(string mailboxId, string resource, string owner, DateTimeOffset until, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO graph_subscriptions (mailbox_id, resource_kind, claimed_by, claimed_until, created_at)
            VALUES (@mailboxId, @resource, @owner, @until, @now)
            ON CONFLICT (mailbox_id, resource_kind) DO UPDATE SET claimed_by = excluded.claimed_by, claimed_until = excluded.claimed_until
            WHERE graph_subscriptions.subscription_id IS NULL
              AND (graph_subscriptions.claimed_by IS NULL OR graph_subscriptions.claimed_until < excluded.created_at)
            """, new { mailboxId, resource, owner, until = until.ToUnixTimeMilliseconds(), now = Now() }, cancellationToken: ct)) == 1;
    }

    /// <summary>Before the subscription is asked for: its client state's hash, so a notification that beats the answer is recognised.</summary>
    public Task<bool> SetPendingSecretAsync(string mailboxId, string resource, string owner, string clientStateHash, CancellationToken ct = default) =>
        UpdateClaimedAsync("client_state_hash = @hash", mailboxId, resource, owner, new { hash = clientStateHash }, ct);

    /// <summary>Records the subscription Graph created and releases the claim. False when the row is gone (the mailbox was erased meanwhile) or the claim was lost.</summary>
    public Task<bool> CompleteCreateAsync(string mailboxId, string resource, string owner, string subscriptionId, DateTimeOffset expiresAt, CancellationToken ct = default) =>
        UpdateClaimedAsync("subscription_id = @subscriptionId, expires_at = @expires, renewed_at = @now, claimed_by = NULL, claimed_until = NULL",
            mailboxId, resource, owner, new { subscriptionId, expires = expiresAt.ToUnixTimeMilliseconds() }, ct);

    /// <summary>Gives a claim back (the Graph call failed): the next maintenance run tries again.</summary>
    public Task<bool> ReleaseAsync(string mailboxId, string resource, string owner, CancellationToken ct = default) =>
        UpdateClaimedAsync("claimed_by = NULL, claimed_until = NULL", mailboxId, resource, owner, null, ct);

    /// <summary>
    /// Claims up to <paramref name="limit"/> subscriptions that expire before <paramref name="dueBefore"/> and that no
    /// live claim holds, for renewal by <paramref name="owner"/>.
    /// </summary>
    public async Task<IReadOnlyList<StoredSubscription>> ClaimDueAsync(DateTimeOffset dueBefore, string owner, DateTimeOffset until, int limit, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<Row>(new CommandDefinition($"""
            UPDATE graph_subscriptions SET claimed_by = @owner, claimed_until = @until
            WHERE subscription_id IN (
                SELECT subscription_id FROM graph_subscriptions
                WHERE subscription_id IS NOT NULL AND expires_at < @due AND (claimed_by IS NULL OR claimed_until < @now)
                ORDER BY expires_at LIMIT @limit)
              AND (claimed_by IS NULL OR claimed_until < @now)
            RETURNING {Columns}
            """, new { owner, until = until.ToUnixTimeMilliseconds(), due = dueBefore.ToUnixTimeMilliseconds(), now = Now(), limit }, cancellationToken: ct)))
            .Select(r => r.ToStored()).ToList();
    }

    /// <summary>Claims one subscription by Graph's id (a lifecycle notification about it): null when unknown or claimed by another host.</summary>
    public async Task<StoredSubscription?> TryClaimAsync(string subscriptionId, string owner, DateTimeOffset until, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"""
            UPDATE graph_subscriptions SET claimed_by = @owner, claimed_until = @until
            WHERE subscription_id = @subscriptionId AND (claimed_by IS NULL OR claimed_until < @now)
            RETURNING {Columns}
            """, new { subscriptionId, owner, until = until.ToUnixTimeMilliseconds(), now = Now() }, cancellationToken: ct));
        return row?.ToStored();
    }

    /// <summary>A renewal (or reauthorization) went through: the new expiry, claim released.</summary>
    public async Task<bool> RenewedAsync(string subscriptionId, string owner, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE graph_subscriptions SET expires_at = @expires, renewed_at = @now, claimed_by = NULL, claimed_until = NULL
            WHERE subscription_id = @subscriptionId AND claimed_by = @owner
            """, new { subscriptionId, owner, expires = expiresAt.ToUnixTimeMilliseconds(), now = Now() }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// The claimed subscription is gone at Graph (removed, expired, 404): forget its id and keep the claim, so the
    /// same owner creates its replacement.
    /// </summary>
    public async Task<bool> ForgetClaimedAsync(string subscriptionId, string owner, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE graph_subscriptions SET subscription_id = NULL, client_state_hash = NULL, expires_at = NULL
            WHERE subscription_id = @subscriptionId AND claimed_by = @owner
            """, new { subscriptionId, owner }, cancellationToken: ct)) == 1;
    }

    /// <summary>The subscription with this Graph id, or (while it is being created) the row whose pending client state has this hash.</summary>
    public async Task<StoredSubscription?> FindAsync(string subscriptionId, string clientStateHash, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM graph_subscriptions WHERE subscription_id = @subscriptionId", new { subscriptionId }, cancellationToken: ct))
            ?? await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
                $"SELECT {Columns} FROM graph_subscriptions WHERE subscription_id IS NULL AND client_state_hash = @clientStateHash",
                new { clientStateHash }, cancellationToken: ct));
        return row?.ToStored();
    }

    public async Task<IReadOnlyList<StoredSubscription>> ListAsync(string? mailboxId = null, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM graph_subscriptions" + (mailboxId is null ? "" : " WHERE mailbox_id = @mailboxId") + " ORDER BY mailbox_id, resource_kind",
            new { mailboxId }, cancellationToken: ct))).Select(r => r.ToStored()).ToList();
    }

    /// <summary>
    /// The mailbox's rows, in the erasure's transaction; their Graph ids move to the removal list in the same
    /// transaction, so an erasure that commits always has its subscriptions deleted at Graph later, and one that
    /// rolls back keeps them. A removal names its mailbox, so a delegated mailbox's are deleted with its user's token
    /// (its grant is kept meanwhile: <see cref="Delegated.MailboxGrants.EraseAsync"/>), and when it lapses at Graph anyway.
    /// </summary>
    public async Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct)
    {
        await tx.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO graph_subscription_removals (subscription_id, requested_at, mailbox_id, expires_at)
            SELECT subscription_id, @now, mailbox_id, expires_at FROM graph_subscriptions WHERE mailbox_id = @mailboxId AND subscription_id IS NOT NULL
            ON CONFLICT (subscription_id) DO NOTHING
            """, new { mailboxId, now = Now() }, tx.Transaction, cancellationToken: ct));
        await MailboxEraser.DeleteRowsAsync(tx, mailboxId, ct, "graph_subscriptions");
    }

    /// <summary>A subscription Graph created for a mailbox that was erased meanwhile: to be deleted at Graph.</summary>
    public async Task AddRemovalAsync(string subscriptionId, string? mailboxId = null, DateTimeOffset? expiresAt = null, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO graph_subscription_removals (subscription_id, requested_at, mailbox_id, expires_at) VALUES (@subscriptionId, @now, @mailboxId, @expires)
            ON CONFLICT (subscription_id) DO NOTHING
            """, new { subscriptionId, now = Now(), mailboxId, expires = expiresAt?.ToUnixTimeMilliseconds() }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<PendingRemoval>> ListRemovalsAsync(int limit, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<RemovalRow>(new CommandDefinition("""
            SELECT subscription_id AS SubscriptionId, mailbox_id AS MailboxId, expires_at AS ExpiresAt
            FROM graph_subscription_removals ORDER BY requested_at LIMIT @limit
            """, new { limit }, cancellationToken: ct)))
            .Select(r => new PendingRemoval(r.SubscriptionId, r.MailboxId, r.ExpiresAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null)).ToList();
    }

    /// <summary>Whether any subscription of the (erased) mailbox still waits to be deleted at Graph.</summary>
    public async Task<bool> HasRemovalsAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM graph_subscription_removals WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct)) > 0;
    }

    /// <summary>Deleted at Graph (or already gone there).</summary>
    public async Task RemovalDoneAsync(string subscriptionId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM graph_subscription_removals WHERE subscription_id = @subscriptionId", new { subscriptionId }, cancellationToken: ct));
    }

    private async Task<bool> UpdateClaimedAsync(string set, string mailboxId, string resource, string owner, object? extra, CancellationToken ct)
    {
        var parameters = new DynamicParameters(extra);
        parameters.AddDynamicParams(new { mailboxId, resource, owner, now = Now() });
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE graph_subscriptions SET {set} WHERE mailbox_id = @mailboxId AND resource_kind = @resource AND claimed_by = @owner",
            parameters, cancellationToken: ct)) == 1;
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed class RemovalRow
    {
        public string SubscriptionId { get; set; } = "";
        public string? MailboxId { get; set; }
        public long? ExpiresAt { get; set; }
    }

    private sealed class Row
    {
        public string MailboxId { get; set; } = "";
        public string Resource { get; set; } = "";
        public string? SubscriptionId { get; set; }
        public string? ClientStateHash { get; set; }
        public long? ExpiresAt { get; set; }

        public StoredSubscription ToStored() => new(MailboxId, Resource, SubscriptionId, ClientStateHash,
            ExpiresAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null);
    }
}
