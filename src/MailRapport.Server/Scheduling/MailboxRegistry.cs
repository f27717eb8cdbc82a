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
    bool ScanRunning,
    bool ScanQueued = false,
    bool ScanErrorPermanent = false,
    DateTimeOffset? ScanHeartbeatAt = null,
    bool ScanForced = false,
    bool ScanRescan = false);

public enum EnrolmentOutcome
{
    Enrolled,
    AlreadyEnrolled,
    /// <summary>The mailbox is already bound to another signed-in user: never hand it to this one.</summary>
    Conflict,
}

/// <summary>What a scan's owner found when it ended the scan (<see cref="MailboxRegistry.FinishAsync"/>).</summary>
public enum ScanFinish
{
    /// <summary>Recorded as finished; the lease is released.</summary>
    Finished,
    /// <summary>A scan was asked for while this one ran: the owner keeps the lease and scans once more, now.</summary>
    RunAgain,
    /// <summary>As <see cref="RunAgain"/>, but the owner may not run again: finished, the queued mark kept, and the caller enqueues the scan now.</summary>
    Requeue,
    /// <summary>The owner no longer held the lease (taken over, or the mailbox erased): nothing recorded.</summary>
    Lost,
}

/// <summary>
/// The mailboxes the service scans (configured by an admin or enrolled on first use), the (tenant, object id)
/// each belongs to, and their scan state. Scan-state writes only UPDATE, so an erased mailbox is never re-created
/// by a scan that was still running.
/// </summary>
public sealed class MailboxRegistry(MailStore store, TimeProvider clock) : IMailboxErasure
{
    private const string Columns = """
        mailbox_id AS MailboxId, tenant_id AS TenantId, object_id AS ObjectId, origin AS Origin, enrolled_at AS EnrolledAt,
        scan_requested_at AS ScanRequestedAt, scan_started_at AS ScanStartedAt, scan_finished_at AS ScanFinishedAt,
        scan_error AS ScanError, scan_running AS ScanRunning, scan_queued AS ScanQueued,
        scan_error_permanent AS ScanErrorPermanent, scan_heartbeat_at AS ScanHeartbeatAt, scan_forced AS ScanForced, scan_rescan AS ScanRescan
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

    // Scan state. Every transition is one conditional UPDATE, so concurrent requests and hosts cannot both win.

    /// <summary>
    /// Marks a scan as queued unless one already is: true when this call queued it (and must enqueue the job).
    /// Idle becomes queued, running becomes running + queued; a second request finds it queued and does nothing.
    /// A queued mark older than <paramref name="staleBefore"/> is taken for a job lost before it was stored.
    /// </summary>
    /// <param name="force">
    /// A request that must scan (not a catch-up that may skip itself): when it finds a scan already queued, it makes that
    /// scan unconditional instead of being lost to a catch-up run that skips.
    /// </param>
    public async Task<bool> TryQueueAsync(string mailboxId, DateTimeOffset staleBefore, bool force = true, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var queued = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE mailbox_registry SET scan_queued = 1, scan_requested_at = @now, scan_forced = @force
            WHERE mailbox_id = @mailboxId AND (scan_queued = 0 OR scan_requested_at IS NULL OR scan_requested_at < @stale)
            """, new { mailboxId, now = Now(), stale = staleBefore.ToUnixTimeMilliseconds(), force = force ? 1 : 0 }, cancellationToken: ct)) == 1;
        if (!queued && force)
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE mailbox_registry SET scan_forced = 1 WHERE mailbox_id = @mailboxId AND scan_queued = 1", new { mailboxId }, cancellationToken: ct));
        return queued;
    }

    /// <summary>Queues a scan of every mailbox that has none queued, in one statement; returns the mailboxes it queued.</summary>
    public async Task<IReadOnlyList<string>> TryQueueAllAsync(DateTimeOffset staleBefore, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<string>(new CommandDefinition("""
            UPDATE mailbox_registry SET scan_queued = 1, scan_requested_at = @now, scan_forced = 0
            WHERE scan_queued = 0 OR scan_requested_at IS NULL OR scan_requested_at < @stale
            RETURNING mailbox_id
            """, new { now = Now(), stale = staleBefore.ToUnixTimeMilliseconds() }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// A catch-up run gives up its queued mark when a scan finished at or after <paramref name="since"/> and nobody asked
    /// for a scan meanwhile: true when it should skip.
    /// </summary>
    public async Task<bool> TrySkipAsync(string mailboxId, DateTimeOffset since, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE mailbox_registry SET scan_queued = 0
            WHERE mailbox_id = @mailboxId AND scan_forced = 0 AND scan_finished_at >= @since
            """, new { mailboxId, since = since.ToUnixTimeMilliseconds() }, cancellationToken: ct)) == 1;
    }

    /// <summary>Undoes <see cref="TryQueueAsync"/> when the job could not be stored.</summary>
    public Task UnqueueAsync(string mailboxId, CancellationToken ct = default) =>
        UpdateAsync("scan_queued = 0, scan_forced = 0", mailboxId, ct);

    /// <summary>
    /// Takes the mailbox's scan lease for <paramref name="owner"/>: true unless another scan holds a live lease
    /// (renewed after <paramref name="leaseExpiredBefore"/>). Clears the queued and rescan marks: this run is the queued scan.
    /// </summary>
    public async Task<bool> TryClaimAsync(string mailboxId, string owner, DateTimeOffset leaseExpiredBefore, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE mailbox_registry
            SET scan_running = 1, scan_queued = 0, scan_forced = 0, scan_rescan = 0, scan_owner = @owner, scan_started_at = @now, scan_heartbeat_at = @now
            WHERE mailbox_id = @mailboxId
              AND (scan_running = 0 OR scan_owner IS NULL OR scan_heartbeat_at IS NULL OR scan_heartbeat_at < @expired)
            """, new { mailboxId, owner, now = Now(), expired = leaseExpiredBefore.ToUnixTimeMilliseconds() }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// A scan job that could not claim the lease hands its scan to the scan holding it (the exact complement of
    /// <see cref="TryClaimAsync"/>'s condition): that scan's owner runs once more when it ends (<see cref="FinishAsync"/>),
    /// on whichever host it runs. False when no live scan holds the lease (it just ended): claim instead. The mailbox
    /// stays queued until the follow-up starts, so further requests meanwhile add nothing: several requests, one scan.
    /// </summary>
    public async Task<bool> TryRequestRescanAsync(string mailboxId, DateTimeOffset leaseExpiredBefore, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE mailbox_registry SET scan_rescan = 1, scan_queued = 1, scan_requested_at = @now
            WHERE mailbox_id = @mailboxId AND scan_running = 1 AND scan_owner IS NOT NULL
              AND scan_heartbeat_at IS NOT NULL AND scan_heartbeat_at >= @expired
            """, new { mailboxId, now = Now(), expired = leaseExpiredBefore.ToUnixTimeMilliseconds() }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// Ends <paramref name="owner"/>'s scan. When a scan was asked for meanwhile (<see cref="TryRequestRescanAsync"/>):
    /// with <paramref name="mayRunAgain"/> the owner keeps the lease and starts the follow-up at once
    /// (<see cref="ScanFinish.RunAgain"/>), else the scan is recorded finished with the mailbox left queued for the caller
    /// to enqueue (<see cref="ScanFinish.Requeue"/>). Only the owner clears the rescan mark, others only set it, so a
    /// request is never lost between the two statements.
    /// </summary>
    public async Task<ScanFinish> FinishAsync(string mailboxId, string owner, bool mayRunAgain = true, CancellationToken ct = default)
    {
        const string Finished = "scan_finished_at = @now, scan_error = NULL, scan_error_permanent = 0";
        const string Released = "scan_running = 0, scan_owner = NULL, scan_heartbeat_at = NULL";
        await using var connection = await store.OpenConnectionAsync(ct);
        var args = new { mailboxId, owner, now = Now() };
        if (await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE mailbox_registry SET {Finished}, {Released} WHERE mailbox_id = @mailboxId AND scan_owner = @owner AND scan_rescan = 0",
                args, cancellationToken: ct)) == 1)
            return ScanFinish.Finished;
        var set = mayRunAgain
            ? $"{Finished}, scan_rescan = 0, scan_queued = 0, scan_forced = 0, scan_started_at = @now, scan_heartbeat_at = @now"
            : $"{Finished}, {Released}, scan_rescan = 0, scan_queued = 1, scan_requested_at = @now";
        if (await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE mailbox_registry SET {set} WHERE mailbox_id = @mailboxId AND scan_owner = @owner AND scan_rescan = 1",
                args, cancellationToken: ct)) == 1)
            return mayRunAgain ? ScanFinish.RunAgain : ScanFinish.Requeue;
        return ScanFinish.Lost;
    }

    /// <summary>Renews the lease; false when it was lost (taken over or the mailbox erased).</summary>
    public async Task<bool> RenewAsync(string mailboxId, string owner, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE mailbox_registry SET scan_heartbeat_at = @now WHERE mailbox_id = @mailboxId AND scan_owner = @owner",
            new { mailboxId, owner, now = Now() }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// Records a failed scan. With <paramref name="willRetry"/> the retry counts as the queued scan (and covers a rescan
    /// asked for meanwhile); without, a rescan asked for meanwhile is dropped with its queued mark (nothing would run it).
    /// </summary>
    public Task MarkFailedAsync(string mailboxId, string owner, string error, bool permanent, bool willRetry, CancellationToken ct = default) =>
        UpdateOwnedAsync($"""
            scan_running = 0, scan_owner = NULL, scan_heartbeat_at = NULL, scan_error = @error, scan_error_permanent = @permanent, scan_rescan = 0
            {(willRetry ? ", scan_queued = 1, scan_requested_at = @now" : ", scan_queued = CASE WHEN scan_rescan = 1 THEN 0 ELSE scan_queued END")}
            """, mailboxId, owner, error.Length > 2000 ? error[..2000] : error, permanent, ct);

    /// <summary>A scan stopped by the host shutting down: the job runs again later, so it counts as queued.</summary>
    public Task MarkInterruptedAsync(string mailboxId, string owner, CancellationToken ct = default) =>
        UpdateOwnedAsync("scan_running = 0, scan_owner = NULL, scan_heartbeat_at = NULL, scan_queued = 1, scan_rescan = 0, scan_requested_at = @now",
            mailboxId, owner, null, false, ct);

    /// <summary>
    /// After a restart on a job storage that keeps nothing (local mode): every queued or running mark is a leftover.
    /// Clears them and returns those mailboxes, which are queued again.
    /// </summary>
    public async Task<IReadOnlyList<string>> ResetLeftoversAsync(CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var mailboxes = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT mailbox_id FROM mailbox_registry WHERE scan_queued = 1 OR scan_running = 1", cancellationToken: ct))).ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE mailbox_registry SET scan_queued = 0, scan_running = 0, scan_rescan = 0, scan_owner = NULL, scan_heartbeat_at = NULL WHERE scan_queued = 1 OR scan_running = 1",
            cancellationToken: ct));
        return mailboxes;
    }

    /// <summary>The registry row: queued scan jobs then find the mailbox unregistered and do nothing.</summary>
    public Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct) =>
        MailboxEraser.DeleteRowsAsync(tx, mailboxId, ct, "mailbox_registry");

    private async Task UpdateAsync(string set, string mailboxId, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE mailbox_registry SET {set} WHERE mailbox_id = @mailboxId", new { mailboxId, now = Now() }, cancellationToken: ct));
    }

    /// <summary>Only while <paramref name="owner"/> still holds the lease: a host that lost it must not overwrite the new holder's state.</summary>
    private async Task UpdateOwnedAsync(string set, string mailboxId, string owner, string? error, bool permanent, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE mailbox_registry SET {set} WHERE mailbox_id = @mailboxId AND scan_owner = @owner",
            new { mailboxId, owner, now = Now(), error, permanent = permanent ? 1 : 0 }, cancellationToken: ct));
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
        public long ScanQueued { get; set; }
        public long ScanErrorPermanent { get; set; }
        public long? ScanHeartbeatAt { get; set; }
        public long ScanForced { get; set; }
        public long ScanRescan { get; set; }

        public MailboxStatus ToStatus() => new(MailboxId, TenantId, ObjectId, Origin, DateTimeOffset.FromUnixTimeMilliseconds(EnrolledAt),
            At(ScanRequestedAt), At(ScanStartedAt), At(ScanFinishedAt), ScanError, ScanRunning != 0, ScanQueued != 0,
            ScanErrorPermanent != 0, At(ScanHeartbeatAt), ScanForced != 0, ScanRescan != 0);
    }
}
