using Dapper;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Scheduling;

/// <summary>Where a mailbox in the registry came from.</summary>
public static class MailboxOrigin
{
    public const string Configured = "configured";
    public const string Enrolled = "enrolled";
    public const string Local = "local";
}

/// <summary>A registered mailbox and the state of its scans.</summary>
public sealed record MailboxStatus(
    string MailboxId,
    string? TenantId,
    string? ObjectId,
    string Origin,
    DateTimeOffset EnrolledAt,
    DateTimeOffset? ScanRequestedAt,
    DateTimeOffset? ScanStartedAt,
    DateTimeOffset? ScanFinishedAt,
    string? ScanError,
    bool ScanRunning);

public enum EnrolmentOutcome
{
    Enrolled,
    AlreadyEnrolled,
    /// <summary>The mailbox is already bound to another signed-in user: never hand it to this one.</summary>
    Conflict,
}

/// <summary>
/// The mailboxes the service scans (configured by an admin or enrolled on first use), the (tenant, object id)
/// each belongs to, and their scan state. Scan-state writes only UPDATE, so an erased mailbox is never re-created
/// by a scan that was still running.
/// </summary>
public sealed class MailboxRegistry(MailStore store, TimeProvider clock)
{
    private const string Columns = """
        mailbox_id AS MailboxId, tenant_id AS TenantId, object_id AS ObjectId, origin AS Origin, enrolled_at AS EnrolledAt,
        scan_requested_at AS ScanRequestedAt, scan_started_at AS ScanStartedAt, scan_finished_at AS ScanFinishedAt,
        scan_error AS ScanError, scan_running AS ScanRunning
        """;

    /// <summary>Registers a mailbox that has no signed-in owner yet (admin list, local mode). Does nothing if it exists.</summary>
    public async Task EnsureAsync(string mailboxId, string origin, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mailbox_registry (mailbox_id, origin, enrolled_at, scan_running) VALUES (@mailboxId, @origin, @now, 0)
            ON CONFLICT (mailbox_id) DO NOTHING
            """, new { mailboxId, origin, now = Now() }, cancellationToken: ct));
    }

    /// <summary>
    /// Registers the mailbox of a directory user (tenant id + object id) on their first call; the mailbox id is the
    /// object id, which Graph reads as /users/{id}. Never takes over an existing row.
    /// </summary>
    public async Task<EnrolmentOutcome> EnrolAsync(string tenantId, string objectId, string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mailbox_registry (mailbox_id, tenant_id, object_id, origin, enrolled_at, scan_running)
            VALUES (@mailboxId, @tenantId, @objectId, @origin, @now, 0)
            ON CONFLICT DO NOTHING
            """, new { mailboxId, tenantId, objectId, origin = MailboxOrigin.Enrolled, now = Now() }, cancellationToken: ct));
        if (inserted > 0) return EnrolmentOutcome.Enrolled;
        var owner = await connection.QuerySingleOrDefaultAsync<(string? Tid, string? Oid)>(new CommandDefinition(
            "SELECT tenant_id, object_id FROM mailbox_registry WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
        return owner.Tid == tenantId && owner.Oid == objectId ? EnrolmentOutcome.AlreadyEnrolled : EnrolmentOutcome.Conflict;
    }

    /// <summary>
    /// Binds an admin-configured mailbox to the directory user the tenant says owns its address. Only a row with no
    /// owner yet, and only when that user has no mailbox already; returns whether it bound.
    /// </summary>
    public async Task<bool> BindOwnerAsync(string mailboxId, string tenantId, string objectId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE mailbox_registry SET tenant_id = @tenantId, object_id = @objectId
            WHERE mailbox_id = @mailboxId AND tenant_id IS NULL AND object_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM mailbox_registry WHERE tenant_id = @tenantId AND object_id = @objectId)
            """, new { mailboxId, tenantId, objectId }, cancellationToken: ct)) > 0;
    }

    /// <summary>Admin-configured mailboxes not yet bound to a directory user.</summary>
    public async Task<IReadOnlyList<string>> ListUnboundAsync(CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT mailbox_id FROM mailbox_registry WHERE origin = @origin AND object_id IS NULL ORDER BY mailbox_id",
            new { origin = MailboxOrigin.Configured }, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<string?> FindByUserAsync(string tenantId, string objectId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT mailbox_id FROM mailbox_registry WHERE tenant_id = @tenantId AND object_id = @objectId",
            new { tenantId, objectId }, cancellationToken: ct));
    }

    public async Task<MailboxStatus?> GetAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM mailbox_registry WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
        return row?.ToStatus();
    }

    public async Task<IReadOnlyList<MailboxStatus>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM mailbox_registry ORDER BY mailbox_id", cancellationToken: ct));
        return rows.Select(r => r.ToStatus()).ToList();
    }

    public Task MarkRequestedAsync(string mailboxId, CancellationToken ct = default) =>
        UpdateAsync("scan_requested_at = @now", mailboxId, null, ct);

    public Task MarkStartedAsync(string mailboxId, CancellationToken ct = default) =>
        UpdateAsync("scan_started_at = @now, scan_running = 1", mailboxId, null, ct);

    public Task MarkFinishedAsync(string mailboxId, CancellationToken ct = default) =>
        UpdateAsync("scan_finished_at = @now, scan_running = 0, scan_error = NULL", mailboxId, null, ct);

    public Task MarkFailedAsync(string mailboxId, string error, CancellationToken ct = default) =>
        UpdateAsync("scan_running = 0, scan_error = @error", mailboxId, error.Length > 2000 ? error[..2000] : error, ct);

    private async Task UpdateAsync(string set, string mailboxId, string? error, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE mailbox_registry SET {set} WHERE mailbox_id = @mailboxId", new { mailboxId, now = Now(), error }, cancellationToken: ct));
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset? At(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;

    private sealed class Row
    {
        public string MailboxId { get; set; } = "";
        public string? TenantId { get; set; }
        public string? ObjectId { get; set; }
        public string Origin { get; set; } = "";
        public long EnrolledAt { get; set; }
        public long? ScanRequestedAt { get; set; }
        public long? ScanStartedAt { get; set; }
        public long? ScanFinishedAt { get; set; }
        public string? ScanError { get; set; }
        public long ScanRunning { get; set; }

        public MailboxStatus ToStatus() => new(MailboxId, TenantId, ObjectId, Origin, DateTimeOffset.FromUnixTimeMilliseconds(EnrolledAt),
            At(ScanRequestedAt), At(ScanStartedAt), At(ScanFinishedAt), ScanError, ScanRunning != 0);
    }
}
