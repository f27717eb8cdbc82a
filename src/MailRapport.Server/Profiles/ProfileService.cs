using MailRapport.Core;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Profiles;

/// <summary>Computes contact profiles from a mailbox's stored interactions, and keeps the stored profiles current.</summary>
public sealed class ProfileService(MailStore store, RelationshipModel model)
{
    /// <summary>Profiles as they stood at <paramref name="asOf"/>, counting only interactions before it. Nothing is saved.</summary>
    public async Task<IReadOnlyList<ContactProfile>> ComputeAsync(string mailboxId, DateTimeOffset asOf, CancellationToken ct = default)
    {
        var mailbox = await store.GetMailboxAsync(mailboxId, ct)
            ?? throw new MailboxNotFoundException(mailboxId);
        var overrides = await store.GetAutomatedOverridesAsync(mailboxId, ct);
        var builder = model.CreateBuilder(mailbox.OwnerAddresses, overrides);
        await foreach (var interaction in store.ReadInteractionsAsync(mailboxId, asOf, ct))
            builder.Add(interaction);
        return builder.Build(asOf);
    }

    /// <summary>Recomputes every profile of the mailbox as of now and replaces the stored ones.</summary>
    public async Task<IReadOnlyList<ContactProfile>> RecomputeAsync(string mailboxId, DateTimeOffset now, CancellationToken ct = default)
    {
        var profiles = await ComputeAsync(mailboxId, now, ct);
        await store.SaveProfilesAsync(mailboxId, profiles, replaceAll: true, ct);
        return profiles;
    }
}

public sealed class MailboxNotFoundException(string mailboxId) : Exception($"No mailbox '{mailboxId}' is stored.")
{
    public string MailboxId => mailboxId;
}
