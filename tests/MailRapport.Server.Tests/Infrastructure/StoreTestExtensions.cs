using Dapper;
using MailRapport.Core;
using MailRapport.Server.Profiles;
using MailRapport.Server.Scanning;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Tests.Infrastructure;

/// <summary>Tests read and write through the stores the service uses; these only shorten the calls.</summary>
public static class StoreTestExtensions
{
    public static InteractionStore Interactions(this MailStore store) => new(store);

    public static ProfileStore Profiles(this MailStore store) => new(store);

    /// <summary>The profile service over this store, composed as the service's registrations compose it.</summary>
    public static ProfileService ProfileService(this MailStore store, RelationshipModel? model = null) =>
        new(new InteractionStore(store), new ProfileStore(store), new FeedbackStore(store), model ?? new RelationshipModel(new StageModelOptions()));

    /// <summary>How many messages and meetings the mailbox holds, read as the profile service reads them.</summary>
    public static async Task<(long Messages, long Meetings)> CountInteractionsAsync(this MailStore store, string mailboxId)
    {
        long messages = 0, meetings = 0;
        await foreach (var i in store.Interactions().ReadInteractionsAsync(mailboxId))
            if (i.Message is not null) messages++; else meetings++;
        return (messages, meetings);
    }

    public static async Task<StoredProfile?> GetProfileAsync(this MailStore store, string mailboxId, string address) =>
        (await store.Profiles().GetAsync(mailboxId, address))?.Profile;

    /// <summary>All the mailbox's stored profiles, strongest first (as the API's default page orders them).</summary>
    public static async Task<IReadOnlyList<StoredProfile>> ListProfilesAsync(this MailStore store, string mailboxId) =>
        (await store.Profiles().ListAsync(mailboxId, new ContactQuery(null, null, ContactSort.Strength, true, 1, 1_000_000))).Items;

    /// <summary>Stores profiles as a recompute does (replacing the mailbox's), with no coverage.</summary>
    public static Task SaveProfilesAsync(this MailStore store, string mailboxId, IEnumerable<ContactProfile> profiles) =>
        store.Profiles().ReplaceAsync(mailboxId, profiles, MailboxCoverage.Empty, DateTimeOffset.UtcNow);

    /// <summary>Erases a mailbox from every store, as the command line composes them.</summary>
    public static Task DeleteMailboxDataAsync(this MailStore store, string mailboxId) => new MailboxEraser(store, [new InteractionStore(store), new ProfileStore(store), new FeedbackStore(store),
        new MailboxRegistry(store, TimeProvider.System), new GraphSyncStore(store, TimeProvider.System)]).EraseAsync(mailboxId);

    /// <summary>Every table with a mailbox_id column, read from the database itself (so a new table cannot be forgotten).</summary>
    public static async Task<IReadOnlyList<string>> MailboxTablesAsync(this MailStore store)
    {
        await using var connection = await store.OpenConnectionAsync();
        var sql = store.Provider == StoreProvider.Sqlite
            ? "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'mailbox_id' ORDER BY m.name"
            : "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'mailbox_id' ORDER BY table_name";
        var tables = (await connection.QueryAsync<string>(sql)).ToList();
        if (tables.Count < 10) throw new InvalidOperationException($"Expected every mailbox table, found only {string.Join(", ", tables)}.");
        return tables;
    }
}
