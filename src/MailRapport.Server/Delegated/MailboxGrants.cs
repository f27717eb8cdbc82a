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
            $"SELECT {Columns} FROM mailbox_grants WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
        return row?.ToGrant();
    }

    /// <summary>Records that the mailbox is read as its user (pending until the first exchange); keeps an existing row's state.</summary>
    public async Task EnsureAsync(string mailboxId, string tenantId, string objectId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mailbox_grants (mailbox_id, tenant_id, object_id, state, changed_at) VALUES (@mailboxId, @tenantId, @objectId, @state, @now)
            ON CONFLICT (mailbox_id) DO NOTHING
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

    public Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct) =>
        MailboxEraser.DeleteRowsAsync(tx, mailboxId, ct, "mailbox_grants");

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
