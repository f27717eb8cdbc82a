using Dapper;
using MailRapport.Core;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Scheduling;

public sealed record StageChange(DateTimeOffset At, Stage Stage, Nurture Nurture);

/// <summary>
/// Each contact's stage and nurture over time, one row per change. Changes are found by comparing the stored
/// profiles with the latest recorded row, not with a snapshot taken before the scan, so a scan that was killed
/// and re-run (or run twice) records each change exactly once.
/// </summary>
public sealed class StageHistory(MailStore store, ProfileService profiles, TimeProvider clock)
{
    /// <summary>How far back the first scan reconstructs history, month by month.</summary>
    public const int BackfillMonths = 24;

    /// <summary>Records a row for every stored profile whose stage or nurture differs from its last recorded one.</summary>
    public async Task<int> RecordChangesAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var current = (await connection.QueryAsync<(string Address, long Stage, long Nurture)>(new CommandDefinition(
            "SELECT address, stage, nurture FROM contact_profiles WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct)))
            .Select(r => (r.Address, (Stage)r.Stage, (Nurture)r.Nurture));
        await using var tx = await connection.BeginTransactionAsync(ct);
        var written = await RecordAsync(connection, tx, mailboxId, current.ToList(), clock.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
        return written;
    }

    /// <summary>
    /// On a mailbox with no history yet, replays the stored interactions as of each month's start over the last
    /// <see cref="BackfillMonths"/> months, so "became a Relationship in March" is visible after the very first scan.
    /// </summary>
    public async Task BackfillIfEmptyAsync(string mailboxId, CancellationToken ct = default)
    {
        await using (var connection = await store.OpenConnectionAsync(ct))
        {
            var any = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM stage_history WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
            if (any > 0) return;
        }
        if (await store.GetMailboxAsync(mailboxId, ct) is null) return; // the scanner stored nothing to replay
        var now = clock.GetUtcNow();
        var snapshots = new List<(DateTimeOffset At, IEnumerable<(string, Stage, Nurture)> Rows)>();
        var month = MonthIndex.Start(MonthIndex.Of(now) - BackfillMonths + 1);
        for (; month <= now; month = month.AddMonths(1))
        {
            var asOf = await profiles.ComputeAsync(mailboxId, month, ct);
            snapshots.Add((month, asOf.Select(p => (p.Address, p.Stage, p.Nurture)).ToList()));
        }
        // All months in one transaction: a backfill cut short leaves nothing, so the next scan starts it again.
        await using var write = await store.OpenConnectionAsync(ct);
        await using var tx = await write.BeginTransactionAsync(ct);
        foreach (var (at, rows) in snapshots)
            await RecordAsync(write, tx, mailboxId, rows, at, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<StageChange>> ListAsync(string mailboxId, string address, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await ListAsync(connection, mailboxId, address, ct);
    }

    /// <summary>On a caller's connection (the API reads a contact and its history on one).</summary>
    public static async Task<IReadOnlyList<StageChange>> ListAsync(System.Data.Common.DbConnection connection, string mailboxId, string address, CancellationToken ct = default)
    {
        var rows = await connection.QueryAsync<(long At, long Stage, long Nurture)>(new CommandDefinition(
            "SELECT changed_at, stage, nurture FROM stage_history WHERE mailbox_id = @mailboxId AND address = @address ORDER BY changed_at",
            new { mailboxId, address }, cancellationToken: ct));
        return rows.Select(r => new StageChange(DateTimeOffset.FromUnixTimeMilliseconds(r.At), (Stage)r.Stage, (Nurture)r.Nurture)).ToList();
    }

    private static async Task<int> RecordAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, string mailboxId,
        IEnumerable<(string Address, Stage Stage, Nurture Nurture)> current, DateTimeOffset at, CancellationToken ct)
    {
        // The latest row per address: the last changed_at wins.
        var latest = (await connection.QueryAsync<(string Address, long Stage, long Nurture)>(new CommandDefinition("""
            SELECT h.address, h.stage, h.nurture FROM stage_history h
            JOIN (SELECT address, MAX(changed_at) AS last_at FROM stage_history WHERE mailbox_id = @mailboxId GROUP BY address) l
              ON h.address = l.address AND h.changed_at = l.last_at
            WHERE h.mailbox_id = @mailboxId
            """, new { mailboxId }, tx, cancellationToken: ct)))
            .ToDictionary(r => r.Address, r => ((Stage)r.Stage, (Nurture)r.Nurture), StringComparer.Ordinal);
        int written = 0;
        foreach (var (address, stage, nurture) in current)
        {
            if (latest.TryGetValue(address, out var last) && last == (stage, nurture)) continue;
            written += await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO stage_history (mailbox_id, address, changed_at, stage, nurture) VALUES (@mailboxId, @address, @at, @stage, @nurture)
                ON CONFLICT (mailbox_id, address, changed_at) DO UPDATE SET stage = excluded.stage, nurture = excluded.nurture
                """, new { mailboxId, address, at = at.ToUnixTimeMilliseconds(), stage = (short)stage, nurture = (short)nurture }, tx, cancellationToken: ct));
        }
        return written;
    }
}
