using Dapper;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>One answer to "Is this right?": what the user said about the stage they were shown, and when.</summary>
public sealed record StoredFeedback(string Address, FeedbackAnswer Answer, Stage ShownStage, bool ShownAutomated, DateTimeOffset AnsweredAt);

/// <summary>
/// The user's answers to "Is this right?", one per contact (the latest replaces the earlier), in the mailbox's own
/// table (contact_feedback): erased with the mailbox, kept across scans. "Not a person" is read as the
/// automated-sender override by <see cref="Profiles.ProfileService"/>.
/// </summary>
public sealed class FeedbackStore(MailStore store) : IMailboxErasure
{
    public Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct) =>
        MailboxEraser.DeleteRowsAsync(tx, mailboxId, ct, "contact_feedback");

    public async Task SetAsync(string mailboxId, StoredFeedback feedback, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO contact_feedback (mailbox_id, address, answer, shown_stage, shown_automated, answered_at)
            VALUES (@mailboxId, @address, @answer, @stage, @automated, @at)
            ON CONFLICT (mailbox_id, address) DO UPDATE SET answer = excluded.answer, shown_stage = excluded.shown_stage,
                shown_automated = excluded.shown_automated, answered_at = excluded.answered_at
            """,
            new
            {
                mailboxId, address = feedback.Address, answer = (short)feedback.Answer, stage = (short)feedback.ShownStage,
                automated = (short)(feedback.ShownAutomated ? 1 : 0), at = feedback.AnsweredAt.ToUnixTimeMilliseconds(),
            }, cancellationToken: ct));
    }

    /// <summary>Forgets the answer about one contact; false when there was none.</summary>
    public async Task<bool> RemoveAsync(string mailboxId, string address, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM contact_feedback WHERE mailbox_id = @mailboxId AND address = @address", new { mailboxId, address }, cancellationToken: ct)) > 0;
    }

    public async Task<StoredFeedback?> GetAsync(string mailboxId, string address, CancellationToken ct = default) =>
        (await QueryAsync(mailboxId, address, ct)).FirstOrDefault();

    /// <summary>Every answer of the mailbox, newest first.</summary>
    public Task<IReadOnlyList<StoredFeedback>> ListAsync(string mailboxId, CancellationToken ct = default) => QueryAsync(mailboxId, null, ct);

    /// <summary>Addresses the user said are not a person: treated as automated senders.</summary>
    public async Task<IReadOnlyList<string>> NotAPersonAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var result = new List<string>();
        await PlainSql.QueryAsync(connection, null, "SELECT address FROM contact_feedback WHERE mailbox_id = @m AND answer = @answer",
            [("m", mailboxId), ("answer", (short)FeedbackAnswer.NotAPerson)], r => result.Add(r.GetString(0)), ct); // every recompute asks: no Dapper call site
        return result;
    }

    private async Task<IReadOnlyList<StoredFeedback>> QueryAsync(string mailboxId, string? address, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Address, long Answer, long Stage, long Automated, long At)>(new CommandDefinition(
            "SELECT address, answer, shown_stage, shown_automated, answered_at FROM contact_feedback WHERE mailbox_id = @mailboxId" +
            (address is null ? "" : " AND address = @address") + " ORDER BY answered_at DESC, address",
            new { mailboxId, address }, cancellationToken: ct));
        return rows.Select(r => new StoredFeedback(r.Address, (FeedbackAnswer)r.Answer, (Stage)r.Stage, r.Automated != 0,
            DateTimeOffset.FromUnixTimeMilliseconds(r.At))).ToList();
    }
}
