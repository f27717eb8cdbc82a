using Dapper;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Delegated;

/// <summary>Where a delegated grant stands.</summary>
public static class GrantState
{
    /// <summary>Recorded, the first on-behalf-of exchange not done yet.</summary>
    public const string Pending = "pending";
    /// <summary>The service holds what it needs to read the mailbox as its user.</summary>
    public const string Active = "active";
    /// <summary>Consent revoked or the grant expired: nothing is read until the user signs in again.</summary>
    public const string NeedsSignIn = "needs_sign_in";
}

/// <summary>A mailbox read with its user's delegated permissions: whose it is and where the grant stands.</summary>
public sealed record MailboxGrant(string MailboxId, string TenantId, string ObjectId, string State, string? Reason,
    DateTimeOffset ChangedAt, DateTimeOffset? LastAttemptAt)
{
    public bool NeedsSignIn => State == GrantState.NeedsSignIn;
}

/// <summary>
/// How each mailbox is read: a row here means "as its user" (delegated), no row means "by the app". Holds the MSAL
/// token cache of the mailbox's long-running on-behalf-of session, already encrypted by the caller (Data Protection);
/// this store never sees a token in clear. Owns <c>mailbox_grants</c>.
/// </summary>
public sealed class MailboxGrants(MailStore store, TimeProvider clock) : IMailboxErasure
{
    private const string Columns = """
        mailbox_id AS MailboxId, tenant_id AS TenantId, object_id AS ObjectId, state AS State, reason AS Reason,
        changed_at AS ChangedAt, last_attempt_at AS LastAttemptAt
        """;

    public async Task<MailboxGrant?> GetAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM mailbox_grants WHERE mailbox_id = @mailboxId AND erased_at IS NULL", new { mailboxId }, cancellationToken: ct));
        return row?.ToGrant();
    }

    /// <summary>
    /// The grant of an erased mailbox, kept only until its subscriptions are deleted at Graph with its user's token
    /// (or the mailbox's live grant, when it was enrolled again since). Null when there is neither.
    /// </summary>
    public async Task<MailboxGrant?> GetForSubscriptionRemovalAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM mailbox_grants WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
        return row?.ToGrant();
    }

    /// <summary>The erased mailbox's subscriptions are all gone at Graph: its kept grant (and token cache) goes too.</summary>
    public async Task ForgetErasedAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM mailbox_grants WHERE mailbox_id = @mailboxId AND erased_at IS NOT NULL", new { mailboxId }, cancellationToken: ct));
    }

    /// <summary>
    /// Kept grants of erased mailboxes with no subscription left to delete (a creation that failed while the mailbox
    /// was erased), erased before <paramref name="before"/>. Returns how many went.
    /// </summary>
    public async Task<int> ForgetErasedWithoutRemovalsAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM mailbox_grants WHERE erased_at IS NOT NULL AND erased_at < @before
            AND NOT EXISTS (SELECT 1 FROM graph_subscription_removals r WHERE r.mailbox_id = mailbox_grants.mailbox_id)
            """, new { before = before.ToUnixTimeMilliseconds() }, cancellationToken: ct));
    }

    /// <summary>
    /// Records that the mailbox is read as its user (pending until the first exchange); keeps an existing row's state,
    /// except an erased mailbox's kept grant, which starts again as new.
    /// </summary>
    public async Task EnsureAsync(string mailboxId, string tenantId, string objectId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mailbox_grants (mailbox_id, tenant_id, object_id, state, changed_at) VALUES (@mailboxId, @tenantId, @objectId, @state, @now)
            ON CONFLICT (mailbox_id) DO UPDATE SET tenant_id = excluded.tenant_id, object_id = excluded.object_id, state = excluded.state,
                reason = NULL, changed_at = excluded.changed_at, last_attempt_at = NULL, erased_at = NULL
            WHERE mailbox_grants.erased_at IS NOT NULL
            """, new { mailboxId, tenantId, objectId, state = GrantState.Pending, now = Now() }, cancellationToken: ct));
    }

    /// <summary>The exchange succeeded. Returns the state it replaced (null when there was no row).</summary>
    public async Task<string?> MarkActiveAsync(string mailboxId, CancellationToken ct = default)
    {
        var before = (await GetAsync(mailboxId, ct))?.State;
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE mailbox_grants SET state = @state, reason = NULL, changed_at = @now, last_attempt_at = @now WHERE mailbox_id = @mailboxId",
            new { mailboxId, state = GrantState.Active, now = Now() }, cancellationToken: ct));
        return before;
    }

    /// <summary>
    /// Consent revoked or grant expired: the mailbox waits for its user. Returns true when this call changed the state
    /// (so one failure is logged once, not on every request that notices it).
    /// </summary>
    public async Task<bool> MarkNeedsSignInAsync(string mailboxId, string reason, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE mailbox_grants SET state = @state, reason = @reason, changed_at = @now, last_attempt_at = @now
            WHERE mailbox_id = @mailboxId AND state <> @state
            """, new { mailboxId, state = GrantState.NeedsSignIn, reason = reason.Length > 1000 ? reason[..1000] : reason, now = Now() }, cancellationToken: ct));
        if (changed == 0)
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE mailbox_grants SET last_attempt_at = @now WHERE mailbox_id = @mailboxId", new { mailboxId, now = Now() }, cancellationToken: ct));
        return changed > 0;
    }

    /// <summary>Whether scans of the mailbox must wait for its user to sign in again.</summary>
    public async Task<bool> NeedsSignInAsync(string mailboxId, CancellationToken ct = default) =>
        (await GetAsync(mailboxId, ct))?.NeedsSignIn == true;

    // The token cache: an opaque, already encrypted blob per mailbox (Delegated/GrantTokenCache).

    internal async Task<string?> ReadTokenCacheAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT token_cache FROM mailbox_grants WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
    }

    /// <summary>Writes the cache of a mailbox that has a grant row; false when it has none (nothing is kept for it).</summary>
    internal async Task<bool> WriteTokenCacheAsync(string mailboxId, string? protectedCache, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE mailbox_grants SET token_cache = @protectedCache WHERE mailbox_id = @mailboxId",
            new { mailboxId, protectedCache }, cancellationToken: ct)) > 0;
    }

    /// <summary>
    /// Erasure: the grant goes, unless the mailbox has subscriptions at Graph still to delete (Notifications/): then it
    /// is kept, marked erased and invisible to <see cref="GetAsync"/>, so they are deleted with its user's token (a
    /// tenant that granted only delegated permissions refuses the app's), and goes once they are
    /// (<see cref="ForgetErasedAsync"/>). Both tables are read here, so the order of the stores' shares does not matter.
    /// </summary>
    public async Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct)
    {
        await tx.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE mailbox_grants SET erased_at = CASE WHEN
                EXISTS (SELECT 1 FROM graph_subscriptions s WHERE s.mailbox_id = @mailboxId)
                OR EXISTS (SELECT 1 FROM graph_subscription_removals r WHERE r.mailbox_id = @mailboxId)
                THEN @now ELSE NULL END
            WHERE mailbox_id = @mailboxId
            """, new { mailboxId, now = Now() }, tx.Transaction, cancellationToken: ct));
        await tx.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM mailbox_grants WHERE mailbox_id = @mailboxId AND erased_at IS NULL", new { mailboxId }, tx.Transaction, cancellationToken: ct));
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed class Row
    {
        public string MailboxId { get; set; } = "";
        public string TenantId { get; set; } = "";
        public string ObjectId { get; set; } = "";
        public string State { get; set; } = "";
        public string? Reason { get; set; }
        public long ChangedAt { get; set; }
        public long? LastAttemptAt { get; set; }

        public MailboxGrant ToGrant() => new(MailboxId, TenantId, ObjectId, State, Reason, DateTimeOffset.FromUnixTimeMilliseconds(ChangedAt),
            LastAttemptAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null);
    }
}
