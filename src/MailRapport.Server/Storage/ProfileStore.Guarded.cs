using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>
/// A recompute's writes that refuse to go backwards (docs/decisions/021-recompute-race.md): each is made only if the
/// stored <see cref="ProfileState"/> is still the one the recompute read before any of its inputs. Otherwise another
/// recompute wrote in between, perhaps from newer interactions or overrides, and nothing is written: the caller
/// computes again from what is stored now. The check and the write share one transaction that one writer per mailbox
/// holds at a time (SQLite: the database's write lock, taken at BEGIN; PostgreSQL: an advisory lock on the mailbox).
/// </summary>
public sealed partial class ProfileStore
{
    /// <summary>Like <see cref="ReplaceAsync"/>, only while the stored state is <paramref name="expected"/>; false when it was not (nothing written).</summary>
    public async Task<bool> TryReplaceAsync(string mailboxId, IEnumerable<ContactProfile> profiles, MailboxCoverage coverage, ProfileState state,
        ProfileState? expected, CancellationToken ct = default)
    {
        await using var tx = await BeginGuardedAsync(mailboxId, expected, ct);
        if (tx is null) return false;
        await ReplaceAllAsync(tx, mailboxId, profiles, coverage, state.ComputedAt, state, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Like <see cref="UpdateAsync"/>, only while the stored state is <paramref name="expected"/>; false when it was not (nothing written).</summary>
    public async Task<bool> TryUpdateAsync(string mailboxId, IReadOnlyCollection<ContactProfile> profiles, IReadOnlyCollection<string> removed,
        MailboxCoverage coverage, ProfileState state, ProfileState expected, CancellationToken ct = default)
    {
        await using var tx = await BeginGuardedAsync(mailboxId, expected, ct);
        if (tx is null) return false;
        await WriteChangesAsync(tx, mailboxId, profiles, removed, coverage, state, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>A transaction holding the mailbox's profile writes, or null (and none) when the stored state is not <paramref name="expected"/>.</summary>
    private async Task<StoreTransaction?> BeginGuardedAsync(string mailboxId, ProfileState? expected, CancellationToken ct)
    {
        var tx = await store.BeginAsync(ct);
        try
        {
            // SQLite's BEGIN (IMMEDIATE, as Microsoft.Data.Sqlite begins) already holds the only write lock; PostgreSQL
            // reads committed data per statement, so one writer per mailbox waits here for the other's commit.
            if (store.Provider == StoreProvider.Postgres)
                await PlainSql.ScalarAsync(tx.Connection, tx.Transaction, "SELECT pg_advisory_xact_lock(727275, hashtext(@m))", [("m", mailboxId)], ct);
            if (await ReadStateAsync(tx.Connection, tx.Transaction, mailboxId, ct) == expected) return tx;
        }
        catch
        {
            await tx.DisposeAsync();
            throw;
        }
        await tx.DisposeAsync();
        return null;
    }
}
