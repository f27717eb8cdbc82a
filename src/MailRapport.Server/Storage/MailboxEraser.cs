using Dapper;

namespace MailRapport.Server.Storage;

/// <summary>A store's share of erasing a mailbox: its own tables' rows for that mailbox, inside the caller's transaction.</summary>
public interface IMailboxErasure
{
    Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct);
}

/// <summary>
/// Erases everything stored for one mailbox, in one transaction, by asking every store for its share. It knows no
/// table: a feature with tables of its own registers its store with <see cref="StorageExtensions.AddMailboxData{T}"/>.
/// </summary>
public sealed class MailboxEraser(MailStore store, IEnumerable<IMailboxErasure> parts)
{
    public async Task EraseAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var tx = await store.BeginAsync(ct);
        foreach (var part in parts)
            await part.EraseAsync(tx, mailboxId, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Deletes a table's rows for the mailbox: the whole share of a store whose tables are keyed by mailbox_id.</summary>
    internal static async Task DeleteRowsAsync(StoreTransaction tx, string mailboxId, CancellationToken ct, params string[] tables)
    {
        foreach (var table in tables)
            await tx.Connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {table} WHERE mailbox_id = @mailboxId", new { mailboxId }, tx.Transaction, cancellationToken: ct));
    }
}
