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
        ProfileState? state = null;
        await PlainSql.QueryAsync(connection, tx, "SELECT computed_seq, computed_at, full_at, facts FROM profile_state WHERE mailbox_id = @m",
            [("m", mailboxId)], r => state = new ProfileState(Db.Long(r, 0), Db.Time(Db.Long(r, 1)), Db.Time(Db.Long(r, 2)), r.GetString(3)), ct);
        return state; // one row at most: mailbox_id is the key
    }

    /// <summary>Stores the state, or forgets it (null: profiles written by other means, so the next recompute is a full one).</summary>
    private static Task WriteStateAsync(StoreTransaction tx, string mailboxId, ProfileState? state, CancellationToken ct) =>
        state is null
            ? PlainSql.ExecuteAsync(tx.Connection, tx.Transaction, "DELETE FROM profile_state WHERE mailbox_id = @m", [("m", mailboxId)], ct)
            : PlainSql.ExecuteAsync(tx.Connection, tx.Transaction, """
                INSERT INTO profile_state (mailbox_id, computed_seq, computed_at, full_at, facts) VALUES (@m, @seq, @at, @fullAt, @facts)
                ON CONFLICT (mailbox_id) DO UPDATE SET computed_seq = excluded.computed_seq, computed_at = excluded.computed_at,
                    full_at = excluded.full_at, facts = excluded.facts
                """,
                [
                    ("m", mailboxId), ("seq", state.ComputedSeq), ("at", state.ComputedAt.ToUnixTimeMilliseconds()),
                    ("fullAt", state.FullAt.ToUnixTimeMilliseconds()), ("facts", state.Facts),
                ], ct);
}
