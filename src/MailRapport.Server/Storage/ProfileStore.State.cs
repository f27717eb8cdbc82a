using Dapper;

namespace MailRapport.Server.Storage;

/// <summary>
/// What the stored profiles stand at (profile_state): the interaction change number they include, when they were last
/// computed (some or all), when all were, and a fingerprint of the mailbox-wide facts they were computed with (owner
/// addresses, the user's overrides, the model's options). docs/decisions/019-incremental-recompute.md.
/// </summary>
public sealed record ProfileState(long ComputedSeq, DateTimeOffset ComputedAt, DateTimeOffset FullAt, string Facts);

public sealed partial class ProfileStore
{
    public async Task<ProfileState?> GetStateAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await ReadStateAsync(connection, null, mailboxId, ct);
    }

    private static async Task<ProfileState?> ReadStateAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? tx,
        string mailboxId, CancellationToken ct)
    {
        var rows = (await connection.QueryAsync<(long Seq, long At, long FullAt, string Facts)>(new CommandDefinition(
            "SELECT computed_seq, computed_at, full_at, facts FROM profile_state WHERE mailbox_id = @mailboxId", new { mailboxId }, tx,
            cancellationToken: ct))).ToList();
        return rows is [var r] ? new ProfileState(r.Seq, Db.Time(r.At), Db.Time(r.FullAt), r.Facts) : null;
    }

    /// <summary>Stores the state, or forgets it (null: profiles written by other means, so the next recompute is a full one).</summary>
    private static Task WriteStateAsync(StoreTransaction tx, string mailboxId, ProfileState? state, CancellationToken ct) =>
        state is null
            ? tx.Connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM profile_state WHERE mailbox_id = @mailboxId", new { mailboxId }, tx.Transaction, cancellationToken: ct))
            : tx.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO profile_state (mailbox_id, computed_seq, computed_at, full_at, facts) VALUES (@mailboxId, @seq, @at, @fullAt, @facts)
                ON CONFLICT (mailbox_id) DO UPDATE SET computed_seq = excluded.computed_seq, computed_at = excluded.computed_at,
                    full_at = excluded.full_at, facts = excluded.facts
                """, new
                {
                    mailboxId, seq = state.ComputedSeq, at = state.ComputedAt.ToUnixTimeMilliseconds(), fullAt = state.FullAt.ToUnixTimeMilliseconds(),
                    facts = state.Facts,
                }, tx.Transaction, cancellationToken: ct));
}
