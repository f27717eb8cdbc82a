using MailRapport.Core;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Profiles;

/// <summary>Computes contact profiles from a mailbox's stored interactions, and keeps the stored profiles current.</summary>
public sealed class ProfileService(MailStore store, RelationshipModel model)
{
    private readonly InteractionStore interactions = new(store);
    private readonly ProfileStore stored = new(store);
    private readonly FeedbackStore feedback = new(store);

    /// <summary>Profiles as they stood at <paramref name="asOf"/>, counting only interactions before it. Nothing is saved.</summary>
    public async Task<IReadOnlyList<ContactProfile>> ComputeAsync(string mailboxId, DateTimeOffset asOf, CancellationToken ct = default) =>
        (await ComputeWithCoverageAsync(mailboxId, asOf, ct)).Profiles;

    /// <summary>Profiles as of <paramref name="asOf"/> and what the mailbox holds month by month up to then.</summary>
    public async Task<(IReadOnlyList<ContactProfile> Profiles, MailboxCoverage Coverage)> ComputeWithCoverageAsync(string mailboxId, DateTimeOffset asOf,
        CancellationToken ct = default)
    {
        var mailbox = await interactions.GetMailboxAsync(mailboxId, ct)
            ?? throw new MailboxNotFoundException(mailboxId);
        var overrides = await AutomatedOverridesAsync(mailboxId, ct);
        var builder = model.CreateBuilder(mailbox.OwnerAddresses, overrides);
        await foreach (var interaction in interactions.ReadInteractionsAsync(mailboxId, asOf, ct))
            builder.Add(interaction);
        return (builder.Build(asOf), builder.Coverage(asOf));
    }

    /// <summary>
    /// The user's automated-sender overrides: those set with `mark`, and the contacts answered "not a person" in the
    /// card (an explicit `mark` wins).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, bool>> AutomatedOverridesAsync(string mailboxId, CancellationToken ct)
    {
        var marked = await stored.GetAutomatedOverridesAsync(mailboxId, ct);
        var notAPerson = await feedback.NotAPersonAsync(mailboxId, ct);
        if (notAPerson.Count == 0) return marked;
        var merged = new Dictionary<string, bool>(marked, StringComparer.Ordinal);
        foreach (var address in notAPerson) merged.TryAdd(address, true);
        return merged;
    }

    /// <summary>The user's say on one address (true: automated, false: a person, null: detect); takes effect at the next recompute.</summary>
    public Task SetAutomatedOverrideAsync(string mailboxId, string address, bool? automated, CancellationToken ct = default) =>
        stored.SetAutomatedOverrideAsync(mailboxId, address, automated, ct);

    /// <summary>Recomputes every profile of the mailbox as of now and replaces the stored ones.</summary>
    public async Task<IReadOnlyList<ContactProfile>> RecomputeAsync(string mailboxId, DateTimeOffset now, CancellationToken ct = default)
    {
        var (profiles, coverage) = await ComputeWithCoverageAsync(mailboxId, now, ct);
        await stored.ReplaceAsync(mailboxId, profiles, coverage, now, ct);
        return profiles;
    }
}

public sealed class MailboxNotFoundException(string mailboxId) : Exception($"No mailbox '{mailboxId}' is stored.")
{
    public string MailboxId => mailboxId;
}
