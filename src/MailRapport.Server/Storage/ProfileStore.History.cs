using Dapper;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>The profiles' stage history (stage_history): one row per change of a contact's stage or nurture.</summary>
public sealed partial class ProfileStore
{
    /// <summary>Each stored profile's current stage and nurture.</summary>
    public async Task<IReadOnlyList<(string Address, Stage Stage, Nurture Nurture)>> CurrentStagesAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Address, long Stage, long Nurture)>(new CommandDefinition(
            "SELECT address, stage, nurture FROM contact_profiles WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
        return rows.Select(r => (r.Address, (Stage)r.Stage, (Nurture)r.Nurture)).ToList();
    }

    /// <summary>The contact's stored stage and whether it is an automated sender; null when no profile is stored.</summary>
    public async Task<(Stage Stage, bool Automated)?> StageOfAsync(string mailboxId, string address, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<(long Stage, long Flags)>(new CommandDefinition(
            "SELECT stage, flags FROM contact_profiles WHERE mailbox_id = @mailboxId AND address = @address", new { mailboxId, address }, cancellationToken: ct))).ToList();
        return rows.Count == 0 ? null : ((Stage)rows[0].Stage, ((ContactFlags)rows[0].Flags).HasFlag(ContactFlags.Automated));
    }

    /// <summary>Every recorded stage change of the people (automated senders left out), in time order.</summary>
    public async Task<IReadOnlyList<(string Address, DateTimeOffset At, Stage Stage)>> PeopleStageChangesAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Address, long At, long Stage)>(new CommandDefinition("""
            SELECT h.address, h.changed_at, h.stage FROM stage_history h
            JOIN contact_profiles p ON p.mailbox_id = h.mailbox_id AND p.address = h.address
            WHERE h.mailbox_id = @mailboxId AND (p.flags & @automated) = 0
            ORDER BY h.changed_at, h.address
            """, new { mailboxId, automated = (int)ContactFlags.Automated }, cancellationToken: ct));
        return rows.Select(r => (r.Address, DateTimeOffset.FromUnixTimeMilliseconds(r.At), (Stage)r.Stage)).ToList();
    }

    /// <summary>
    /// Every mailbox's answers to "Is this right?" (contact_feedback, kept by <see cref="FeedbackStore"/>) with the contact's
    /// stored stage now (null when no profile is stored), in one query: mailbox by mailbox, newest answer first.
    /// </summary>
    public async Task<IReadOnlyList<(string MailboxId, StoredFeedback Answer, (Stage Stage, bool Automated)? Now)>> AnswersWithStagesAsync(CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition("""
            SELECT f.mailbox_id, f.address, f.answer, f.shown_stage, f.shown_automated, f.answered_at, p.stage, p.flags
            FROM contact_feedback f
            LEFT JOIN contact_profiles p ON p.mailbox_id = f.mailbox_id AND p.address = f.address
            ORDER BY f.mailbox_id, f.answered_at DESC, f.address
            """, cancellationToken: ct));
        var result = new List<(string, StoredFeedback, (Stage, bool)?)>();
        while (await reader.ReadAsync(ct))
            result.Add((reader.GetString(0),
                new StoredFeedback(reader.GetString(1), (FeedbackAnswer)Db.Long(reader, 2), (Stage)Db.Long(reader, 3), Db.Long(reader, 4) != 0,
                    Db.Time(Db.Long(reader, 5))),
                reader.IsDBNull(6) ? null : ((Stage)Db.Long(reader, 6), ((ContactFlags)Db.Long(reader, 7)).HasFlag(ContactFlags.Automated))));
        return result;
    }

    public async Task<bool> HasHistoryAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM stage_history WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct)) > 0;
    }

    /// <summary>
    /// For each snapshot in order, records a row for every contact whose stage or nurture differs from its latest
    /// recorded one; all in one transaction. Returns the rows written.
    /// </summary>
    public async Task<int> RecordChangesAsync(string mailboxId,
        IEnumerable<(DateTimeOffset At, IEnumerable<(string Address, Stage Stage, Nurture Nurture)> Rows)> snapshots, CancellationToken ct = default)
    {
        await using var tx = await store.BeginAsync(ct);
        int written = 0;
        foreach (var (at, rows) in snapshots)
            written += await RecordAsync(tx, mailboxId, rows, at, ct);
        await tx.CommitAsync(ct);
        return written;
    }

    private static async Task<int> RecordAsync(StoreTransaction tx, string mailboxId,
        IEnumerable<(string Address, Stage Stage, Nurture Nurture)> current, DateTimeOffset at, CancellationToken ct)
    {
        // The latest row per address: the last changed_at wins.
        var latest = (await tx.Connection.QueryAsync<(string Address, long Stage, long Nurture)>(new CommandDefinition("""
            SELECT h.address, h.stage, h.nurture FROM stage_history h
            JOIN (SELECT address, MAX(changed_at) AS last_at FROM stage_history WHERE mailbox_id = @mailboxId GROUP BY address) l
              ON h.address = l.address AND h.changed_at = l.last_at
            WHERE h.mailbox_id = @mailboxId
            """, new { mailboxId }, tx.Transaction, cancellationToken: ct)))
            .ToDictionary(r => r.Address, r => ((Stage)r.Stage, (Nurture)r.Nurture), StringComparer.Ordinal);
        int written = 0;
        foreach (var (address, stage, nurture) in current)
        {
            if (latest.TryGetValue(address, out var last) && last == (stage, nurture)) continue;
            written += await tx.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO stage_history (mailbox_id, address, changed_at, stage, nurture) VALUES (@mailboxId, @address, @at, @stage, @nurture)
                ON CONFLICT (mailbox_id, address, changed_at) DO UPDATE SET stage = excluded.stage, nurture = excluded.nurture
                """, new { mailboxId, address, at = at.ToUnixTimeMilliseconds(), stage = (short)stage, nurture = (short)nurture }, tx.Transaction, cancellationToken: ct));
        }
        return written;
    }
}
